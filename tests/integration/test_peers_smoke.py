"""The test peers themselves work: chronyd serves (honest and shifted), mosquitto accepts."""
import ntplib

from peers import Chronyd, Mosquitto


def test_chronyd_serves_and_faketime_shifts_it():
    with Chronyd() as honest, Chronyd(faketime="+2.5s") as shifted:
        client = ntplib.NTPClient()
        assert abs(client.request("127.0.0.1", port=honest.port, version=4).offset) < 0.01
        assert abs(client.request("127.0.0.1", port=shifted.port, version=4).offset - 2.5) < 0.01


def test_mosquitto_accepts_connections():
    with Mosquitto() as broker:
        assert broker.process.alive()
