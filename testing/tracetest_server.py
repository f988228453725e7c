"""Starting a tracetest server binary for the probe and soak suites: its ports, its storage section and its files."""
import random
import socket
import subprocess

_taken = set()


def free_port():
    """A free loopback port below Linux's ephemeral range (32768-60999), so that no outgoing connection (the
    server's own database connections, say) takes it between this choice and the server's bind; never the same
    port twice in one process."""
    while True:
        port = random.randint(20000, 32000)
        if port in _taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port


def storage_yaml(postgres, workdir):
    """The `postgres` section for a cluster given as {host, port, user, password, dbname}, else an SQLite file."""
    if postgres:
        p = postgres
        return (f"postgres:\n  host: {p['host']}\n  port: {p['port']}\n  user: {p['user']}\n"
                f"  password: \"{p['password']}\"\n  dbname: {p['dbname']}\n")
    return f"sqlite:\n  path: {workdir}/tracetest.db\n"


def start(binary, workdir, configuration, profile, retry_delay, timeout):
    """Writes tracetest.yaml and a provisioning file with the default polling profile, then starts `serve` with its
    output appended to server.log; returns the process."""
    with open(f"{workdir}/tracetest.yaml", "w") as f:
        f.write(configuration)
    with open(f"{workdir}/provisioning.yaml", "w") as f:
        f.write(f"type: PollingProfile\nspec:\n  id: current\n  name: {profile}\n  default: true\n"
                f"  strategy: periodic\n  periodic:\n    retryDelay: {retry_delay}\n    timeout: {timeout}\n")
    log = open(f"{workdir}/server.log", "a")
    return subprocess.Popen(
        [binary, "serve", "--config", "tracetest.yaml", "--provisioning-file", "provisioning.yaml"],
        cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
