#!/usr/bin/python3
"""Writes chronowatch.yaml(5), the config file's reference, from the same option declarations as
`--help`: it runs `chronowatch --help` and `chronowatch COMMAND --help` and turns each long option
into its YAML key (snake_case) under the command's section, with its type, default, environment
variable and help text. Used by the `man-pages` build target (cmake/Install.cmake).

Usage: config-page.py CHRONOWATCH VERSION > chronowatch.yaml.5
"""
import re
import subprocess
import sys


def help_text(binary, *args):
    return subprocess.run([binary, *args, "--help"], capture_output=True, text=True,
                          check=True).stdout


def commands(binary):
    text = help_text(binary)
    section = text.split("Subcommands:", 1)[1]
    return re.findall(r"^  (\w+)\s+(.*)$", section, re.M)


def options(text):
    """[(flag, spec, help)] of the Options: block (CLI11's layout: flag and spec at column 2,
    help at column 30 on the same or the next lines)."""
    block = text.split("Options:", 1)[1] if "Options:" in text else ""
    out = []
    for line in block.splitlines():
        if line and not line[0].isspace():
            break  # the next block (Subcommands:)
        head = re.match(r"^  (-\S+)(.*)$", line)
        if head:
            flag = head.group(1).split(",")[-1]
            rest = head.group(2)
            spec, _, help_part = rest.partition("   ")
            out.append([flag, spec.strip(), help_part.strip()])
        elif out and line.strip():
            out[-1][2] = (out[-1][2] + " " + line.strip()).strip()
    return [o for o in out if o[0].startswith("--") and o[0] not in ("--help", "--version")]


def roff(text):
    return text.replace("\\", "\\e").replace("-", "\\-").replace("'", "\\(aq")


def main():
    binary, version = sys.argv[1], sys.argv[2]
    out = [
        f'.TH CHRONOWATCH.YAML 5 "" "chronowatch {version}" "File Formats"',
        ".SH NAME", "chronowatch.yaml \\- configuration file of chronowatch",
        ".SH SYNOPSIS", ".B /etc/chronowatch/*.yaml",
        ".SH DESCRIPTION",
        "A YAML file given with \\fB\\-\\-config\\fR \\fIFILE\\fR. It has one section (a map) "
        "per command, named after it (\\fBagent:\\fR, \\fBserve:\\fR, \\fBcollector:\\fR, ...); "
        "each key is a long option of that command with its dashes as underscores "
        "(\\fB\\-\\-poll\\-interval 64\\fR is \\fBpoll_interval: 64\\fR), a repeatable option "
        "takes a list. Flags win over the environment, which wins over the file. Keys a command "
        "does not know are ignored. The packages install commented examples in "
        "/etc/chronowatch/ (agent.yaml, collector.yaml, serve.yaml, alerts.yaml).",
        ".PP", "Generated from each command's \\fB\\-\\-help\\fR, so it lists exactly the options "
        "of this build. The \\fBalerts:\\fR section (rules, silences, receivers) is described "
        "in docs/alerts.md.",
        ".SH EXAMPLE", ".nf",
        "agent:", "  ntp_server: [ntp1.example.net, ntp2.example.net]", "  threshold: 300",
        "  sink: [mqtt, zmq]", "serve:", "  upstream: none", "  local_stratum: 10", ".fi",
    ]
    global_opts = options(help_text(binary))
    out += [".SH TOP LEVEL", "Keys outside any section:"]
    for flag, spec, text in global_opts:
        if flag == "--config":
            continue
        out += [".TP", f"\\fB{roff(flag[2:].replace('-', '_'))}\\fR {roff(spec)}", roff(text)]
    for name, description in commands(binary):
        out += [f".SH SECTION {name.upper()}:", f"\\fB{name}:\\fR \\(em {roff(description)} "
                f"(see \\fBchronowatch\\-{name}\\fR(1))"]
        for flag, spec, text in options(help_text(binary, name)):
            key = flag[2:].replace("-", "_")
            out += [".TP", f"\\fB{roff(key)}\\fR {roff(spec)}", roff(text)]
    out += [".SH FILES", "/etc/chronowatch/agent.yaml, /etc/chronowatch/collector.yaml, "
            "/etc/chronowatch/serve.yaml, /etc/chronowatch/alerts.yaml",
            ".SH SEE ALSO", "\\fBchronowatch\\fR(1), \\fBchronowatch\\-agent\\fR(1)"]
    print("\n".join(out))


if __name__ == "__main__":
    main()
