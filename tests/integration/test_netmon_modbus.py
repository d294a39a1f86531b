"""chronowatch netmon on captures of Modbus/TCP between a real pymodbus slave and masters inside
network namespaces this test creates: normal polling (and writes) from the authorized master
fire nothing; writes, force-listen-only, restart, a function-code sweep and a malformed MBAP from
another master each fire one modbus_anomaly of their kind."""
import pytest

from netns import Lab, netmon, of_type, require_namespaces

SLAVE = """
import logging, sys
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartTcpServer
block = lambda: ModbusSequentialDataBlock(0, [0] * 200)
store = ModbusSlaveContext(di=block(), co=block(), hr=block(), ir=block())
StartTcpServer(context=ModbusServerContext(slaves=store, single=True), address=(sys.argv[1], 502))
"""

POLL = """
import sys, time
from pymodbus.client import ModbusTcpClient
client = ModbusTcpClient(sys.argv[1], port=502, source_address=(sys.argv[2], 0))
assert client.connect()
for i in range(int(sys.argv[3])):
    assert not client.read_holding_registers(0, 10, slave=1).isError()
    if sys.argv[4] == "write":
        assert not client.write_register(5, i, slave=1).isError()
    time.sleep(0.02)
client.close()
"""

RAW = """
import socket, struct, sys
target, source = sys.argv[1], sys.argv[2]
def session(frames):
    s = socket.create_connection((target, 502), timeout=2, source_address=(source, 0))
    s.settimeout(0.5)
    for frame in frames:
        s.sendall(frame)
        try: s.recv(300)
        except OSError: pass
    s.close()
def adu(tid, fc, data=b"", protocol=0):
    return struct.pack(">HHHBB", tid, protocol, 2 + len(data), 1, fc) + data
session([adu(1, 8, struct.pack(">HH", 4, 0))])                      # force listen only
session([adu(2, 8, struct.pack(">HH", 1, 0))])                      # restart communications
session([adu(10 + fc, fc) for fc in (9, 10, 13, 14, 18, 19, 25, 26, 27, 28)])  # function sweep
session([adu(40, 3, struct.pack(">HH", 0, 1), protocol=7)])         # malformed MBAP
"""


@pytest.fixture(scope="module")
def lab():
    require_namespaces()
    with Lab(subnet=173) as lab:
        lab.master = f"{lab.net}.0.20"
        lab.rogue = f"{lab.net}.0.66"
        lab.add_attacker_address(lab.master)
        lab.add_attacker_address(lab.rogue)
        lab.start(lab.target_ns, ["/usr/bin/python3", "-c", SLAVE, lab.target], "modbus-slave")
        lab.wait_port(lab.attacker_ns, lab.target, 502)
        yield lab


def config_for(lab, tmp_path):
    config = tmp_path / "netmon.yaml"
    config.write_text("network_monitor:\n"
                      "  detection:\n"
                      "    modbus:\n"
                      f"      authorized_masters: [{lab.master}]\n")
    return config


def test_polling_from_the_authorized_master_fires_nothing(lab, tmp_path):
    capture, pcap = lab.capture("modbus-normal")
    lab.run(lab.attacker_ns, ["/usr/bin/python3", "-c", POLL, lab.target, lab.master, "40", "write"])
    lab.stop_capture(capture)
    events, summary, _ = netmon(pcap, config=config_for(lab, tmp_path))
    assert events == [], events
    assert summary["decoded"] >= 160


def test_attacks_from_another_master(lab, tmp_path):
    capture, pcap = lab.capture("modbus-attack")
    lab.run(lab.attacker_ns, ["/usr/bin/python3", "-c", POLL, lab.target, lab.rogue, "3", "write"])
    lab.run(lab.attacker_ns, ["/usr/bin/python3", "-c", RAW, lab.target, lab.rogue])
    lab.stop_capture(capture)
    events, summary, _ = netmon(pcap, config=config_for(lab, tmp_path))
    anomalies = of_type(events, "modbus_anomaly")
    kinds = sorted(e["kind"] for e in anomalies)
    for kind in ("write_unauthorized", "force_listen_only", "restart_communications", "function_sweep", "malformed"):
        assert kinds.count(kind) == 1, (kind, kinds)
    assert all(e["source"] == lab.rogue and e["destination"] == lab.target for e in anomalies)
    assert all(e["ports"] == [502] for e in anomalies)
    force = [e for e in anomalies if e["kind"] == "force_listen_only"][0]
    assert force["severity"] == "critical"
    access = of_type(events, "sensitive_port_access")
    assert len(access) == 1 and access[0]["source"] == lab.rogue and access[0]["ports"] == [502]
    assert summary["detectors"]["modbus_anomaly"] == len(anomalies)
