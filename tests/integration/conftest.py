"""Fixtures the integration tests share (pytest finds this file itself): an honest chronyd on a
free loopback port for a test module, and a private work directory (agent_helpers.private_dir: open to mosquitto's own user)
removed after each test."""
import shutil

import pytest

from agent_helpers import private_dir
from peers import Chronyd


@pytest.fixture(scope="module")
def chronyd():
    with Chronyd() as server:
        yield server


@pytest.fixture
def workdir():
    path = private_dir("cw-test-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def spool(workdir):
    """An agent's spool directory: a private work directory."""
    return workdir
