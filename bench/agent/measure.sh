#!/bin/sh
# bench/agent/measure.sh — RSS and CPU per poll of `chronowatch agent` against a local chronyd
# and Mosquitto (see measure.py): RSS, PSS, private memory and CPU per poll.
# Usage: bench/agent/measure.sh [--polls N] [--interval SEC] [--binary PATH] [--breakdown]
exec /usr/bin/python3 "$(dirname "$0")/measure.py" "$@"
