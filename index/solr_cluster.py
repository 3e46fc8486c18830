"""A local SolrCloud for development and tests: one ZooKeeper and N Solr nodes, one JVM each.

Why separate JVMs rather than Solr's in-process test cluster: the fault tests kill a node and
restart it, which must look to the others exactly as a crashed machine does, and each node's
memory and log are its own.  The jars (Solr 9.10.1, its embedded Jetty runner, ZooKeeper) are
fetched once by Maven into a cache outside the repository (``$NEWS_SEARCH_SOLR_CACHE``, else
``~/.cache/news-search/solr-9.10.1``).  ``solr/SolrNode.java`` and the plugins of
``solr/plugin`` (the schema's similarity) are compiled once per source change into a jar in
that cache, and the first node to stop cleanly leaves a class-data-sharing archive there: with
both, a node starts in roughly half the CPU time of the single-file source launcher.

Processes are spawned detached (their own session, output in log files) so that they outlive
the command that started them; ``DIR/cluster.json`` records their ports and pids, which
``stop_cluster`` and ``restart_node`` read.  A pid is only signalled while its command line is
still the JVM we started (a pid reused by another program is left alone).

Layer: the index contract (the write side's cluster, used by the CLI and the tests).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.solr_client import SolrClient, SolrError

__all__ = [
    "ClusterError",
    "ensure_jars",
    "plugin_jar",
    "restart_node",
    "solr_home_cache",
    "start_cluster",
    "stop_cluster",
]

SOLR_VERSION = "9.10.1"
ENV_CACHE = "NEWS_SEARCH_SOLR_CACHE"
#: Each node's Java heap (``-Xmx``), e.g. ``2g`` for a benchmark of a few hundred thousand articles.
ENV_HEAP = "NEWS_SEARCH_SOLR_HEAP"
REPOSITORY = Path(__file__).resolve().parents[1]
POM = REPOSITORY / "solr" / "pom.xml"
LAUNCHER = REPOSITORY / "solr" / "SolrNode.java"
PLUGINS = REPOSITORY / "solr" / "plugin"
STATE_FILE = "cluster.json"
HOST = "127.0.0.1"
START_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0
#: Modest heaps (1 GB holds the 31k corpus with 64 MB indexing buffers per core; more:
#: NEWS_SEARCH_SOLR_HEAP) and, for ZooKeeper, the client
#: compiler and a single-threaded collector: it does little work, so it should cost little.
NODE_JVM = ("-Xmx1g", "-XX:+UseSerialGC")
ZK_JVM = ("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
NODE_MARK = "SolrNode"
ZK_MARK = "QuorumPeerMain"
#: ``zkClientTimeout`` is ZooKeeper's session timeout: how long a killed node stays "live" and
#: how long its restart waits for its old session to expire (Solr's default 30 s made the
#: fault tests' restarts take 35 s; 10 s still rides out any GC pause of a 512 MB heap).
SOLR_XML = """<?xml version="1.0" encoding="UTF-8" ?>
<solr>
  <solrcloud>
    <str name="host">127.0.0.1</str>
    <int name="hostPort">${hostPort:8983}</int>
    <str name="hostContext">${hostContext:solr}</str>
    <int name="zkClientTimeout">${zkClientTimeout:10000}</int>
  </solrcloud>
</solr>
"""


class ClusterError(Exception):
    """The local cluster could not be fetched, started or stopped; the message says why, in one line."""


# --- the jars ---------------------------------------------------------------------------------


def solr_home_cache() -> Path:
    """Where the Solr jars live: outside the repository, shared by every checkout."""
    configured = os.environ.get(ENV_CACHE)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "news-search" / f"solr-{SOLR_VERSION}"


def ensure_jars() -> Path:
    """Fetch the jars with Maven unless the cache has them; the cache directory.

    Why Maven: it resolves Solr's ~140 transitive jars from one pom, and checks their hashes.
    """
    cache = solr_home_cache()
    lib = cache / "lib"
    if (lib / f"solr-core-{SOLR_VERSION}.jar").is_file():
        return cache
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ClusterError(f"mvn not found on PATH: install Maven to fetch the Solr jars into {lib}")
    command = [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies", f"-DoutputDirectory={lib}"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise ClusterError(f"could not run mvn: {exc}") from exc
    if done.returncode != 0 or not (lib / f"solr-core-{SOLR_VERSION}.jar").is_file():
        tail = " | ".join(line.strip() for line in (done.stdout + done.stderr).splitlines()[-3:] if line.strip())
        raise ClusterError(f"mvn could not fetch the Solr jars (exit {done.returncode}): {tail or 'no output'}")
    return cache


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ClusterError("java not found on PATH: install a Java 17+ runtime to run a local SolrCloud")
    return java


@dataclass(frozen=True)
class _Launcher:
    """How to start a node's JVM: the java binary, the classpath, the main class and the CDS archive.

    Why class-data sharing: a node loads ~10,000 classes at start; mapping them from an archive
    (written by the first node that ever stops cleanly) halves its start-up CPU time, which is
    what a 3-node start on a 2-core machine waits for.
    """

    java: str
    classpath: str
    main: tuple[str, ...]
    archive: Path | None = None

    def node_argv(self, node: _Node, zk_port: int, dump: Path | None = None) -> list[str]:
        cds: list[str] = []
        if dump is not None:
            cds = [f"-XX:ArchiveClassesAtExit={dump}"]
        elif self.archive is not None and self.archive.is_file():
            cds = [f"-XX:SharedArchiveFile={self.archive}"]
        if cds:  # an older JVM ignores the options; a stale archive is skipped, silently
            cds = ["-XX:+IgnoreUnrecognizedVMOptions", "-Xlog:cds*=off", *cds]
        heap = os.environ.get(ENV_HEAP)
        jvm = [f"-Xmx{heap}" if heap and option.startswith("-Xmx") else option for option in NODE_JVM]
        return [self.java, *jvm, *cds, f"-Dsolr.log.dir={node.home / 'logs'}", "-cp", self.classpath,
                *self.main, str(node.home), str(node.port), f"{HOST}:{zk_port}"]


def _launcher(cache: Path) -> _Launcher:
    """The node launcher: SolrNode and the plugins of ``solr/plugin`` compiled into one jar, once."""
    java = _java()
    javac = shutil.which("javac")
    if javac is None:
        raise ClusterError("javac not found on PATH: install a JDK 17+ (the nodes run solr/SolrNode.java "
                           "and the plugins of solr/plugin)")
    jars = str(cache / "lib" / "*")
    sources = _java_sources()
    digest = hashlib.sha256()
    for source in sources:
        digest.update(f"{source.relative_to(REPOSITORY)}\0".encode() + source.read_bytes() + b"\0")
    jar = cache / "launcher" / f"solr-node-{digest.hexdigest()[:16]}.jar"
    if not jar.is_file():
        _build_launcher(javac, jars, sources, jar)
    classpath = f"{jar}{os.pathsep}{jars}"
    return _Launcher(java, classpath, ("SolrNode",), cache / "cds" / f"{_cds_key(java, classpath, cache)}.jsa")


def plugin_jar() -> Path:
    """The project's Solr plugin (the similarity the configset names) as a jar of its own, built once.

    A production cluster needs it on every node (``solr.xml``'s ``sharedLib``, or the node's
    ``lib/`` directory) before ``solr create``; the local cluster's launcher jar holds it too.
    """
    cache = ensure_jars()
    javac = shutil.which("javac")
    if javac is None:
        raise ClusterError("javac not found on PATH: install a JDK 17+ to build the Solr plugin of solr/plugin")
    sources = sorted(PLUGINS.rglob("*.java"))
    digest = hashlib.sha256(b"".join(s.read_bytes() for s in sources)).hexdigest()[:16]
    jar = cache / "plugin" / f"arabic-news-solr-plugin-{digest}.jar"
    if not jar.is_file():
        _build_launcher(javac, str(cache / "lib" / "*"), sources, jar)
    return jar


def _java_sources() -> list[Path]:
    """SolrNode.java and every plugin source (the similarity the schema names lives there)."""
    return [LAUNCHER, *sorted(PLUGINS.rglob("*.java"))]


def _build_launcher(javac: str, jars: str, sources: list[Path], jar: Path) -> None:
    """Compile the sources and jar them (CDS takes jars only), then move the jar in place atomically."""
    jar.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=jar.parent, prefix=".build-"))
    try:
        classes = scratch / "classes"
        done = subprocess.run([javac, "-nowarn", "-encoding", "UTF-8", "-cp", jars, "-d", str(classes),
                               *map(str, sources)],
                              capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            raise ClusterError(f"javac could not compile the Solr launcher or plugins: {(lines or ['no output'])[0]}")
        built = scratch / jar.name
        with zipfile.ZipFile(built, "w") as archive:
            for path in sorted(classes.rglob("*.class")):
                archive.write(path, path.relative_to(classes).as_posix())
        built.replace(jar)
        for stale in jar.parent.glob("solr-node-*.jar"):  # earlier sources' builds (a running JVM keeps its copy)
            if stale != jar:
                stale.unlink(missing_ok=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _cds_key(java: str, classpath: str, cache: Path) -> str:
    """What a CDS archive depends on: the JVM binary and every jar (a new JDK or jar, a new archive)."""
    digest = hashlib.sha256(classpath.encode())
    real = Path(java).resolve()
    for path in [real, *sorted((cache / "lib").glob("*.jar"))]:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


# --- processes --------------------------------------------------------------------------------


def _spawn(argv: list[str], log: Path) -> int:
    """Start a detached process (own session, no terminal, output appended to ``log``); its pid.

    Why ``posix_spawn`` and not ``subprocess.Popen``: a Popen object of a process that outlives
    it warns ("subprocess N is still running") when collected, which ``-W error`` turns into an
    error; the pid is the JVM's own either way.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(log), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    try:
        pid = os.posix_spawn(argv[0], argv, dict(os.environ), file_actions=actions, setsid=True)
    except OSError as exc:
        raise ClusterError(f"could not start {Path(argv[0]).name}: {exc}") from exc
    deadline = time.monotonic() + 2.0  # the kernel shows the new command line a moment after exec
    while _command_line(pid) == b"" and not _reap(pid) and time.monotonic() < deadline:
        time.sleep(0.005)
    return pid


def _command_line(pid: int) -> bytes | None:
    """``/proc/PID/cmdline`` (empty for a zombie, or for a moment during exec); None without /proc."""
    if sys.platform != "linux":
        return None
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _reap(pid: int) -> bool:
    """Collect ``pid`` if it is our child and has ended (no zombie is left); whether it ended."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child (another command started it)
        return False
    return done == pid


def _running(pid: int, mark: str) -> bool:
    """Whether ``pid`` is alive and still the JVM we started (its command line holds ``mark``)."""
    if pid <= 0 or _reap(pid):
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or someone else's process
        return False
    command = _command_line(pid)
    if command is None:  # no /proc: trust the pid
        return True
    if command:
        return mark.encode() in command
    if _process_state(pid) in ("Z", "X", ""):  # a zombie: collect it if it is ours
        _reap(pid)
        return False
    return True  # exiting: its memory is gone but its sockets may still be open


def _process_state(pid: int) -> str:
    """The state letter of ``/proc/PID/stat`` (R, S, D, Z…), '' when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace").rpartition(")")[2].split()
    except OSError:
        return ""
    return fields[0] if fields else ""


def _wait_gone(pid: int, mark: str, timeout: float) -> bool:
    """Whether ``pid`` has ended within ``timeout`` seconds (a SIGKILLed JVM takes a moment)."""
    deadline = time.monotonic() + timeout
    while _running(pid, mark):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _terminate(pids: list[int], mark: str, timeout: float = STOP_TIMEOUT) -> tuple[int, set[int]]:
    """SIGTERM the running ones, wait, SIGKILL stragglers; how many were running, and the killed."""
    running = [pid for pid in pids if _running(pid, mark)]
    for pid in running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_running(pid, mark) for pid in running):
        time.sleep(0.1)
    killed = {pid for pid in running if _running(pid, mark)}
    for pid in killed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and any(_running(pid, mark) for pid in killed):
        time.sleep(0.05)
    return len(running), killed


# --- ports ------------------------------------------------------------------------------------


def _free_ports(count: int) -> list[int]:
    """``count`` distinct ports nobody listens on now (all held open together, so none repeats)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _check_free(port: int) -> None:
    if not 0 < port < 65536:
        raise ClusterError(f"port {port} is out of range")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no listener
        try:
            sock.bind((HOST, port))
        except OSError:
            raise ClusterError(f"port {port} is in use") from None


def _zk_answers(port: int) -> bool:
    """ZooKeeper's ``ruok`` four-letter word: ``imok`` once it serves."""
    try:
        with socket.create_connection((HOST, port), timeout=1.0) as sock:
            sock.sendall(b"ruok")
            return sock.recv(8) == b"imok"
    except OSError:
        return False


# --- the cluster's record ---------------------------------------------------------------------


@dataclass
class _Node:
    index: int
    port: int
    home: Path
    pid: int = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/solr"

    @property
    def log(self) -> Path:
        return self.home.parent / f"node{self.index}.log"

    @property
    def live_name(self) -> str:
        return f"{HOST}:{self.port}_solr"


def _state_path(directory: Path) -> Path:
    return Path(directory) / STATE_FILE


def _read_state(directory: Path) -> dict[str, Any]:
    path = _state_path(directory)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        _nodes_of(state)
        int(state["zk_port"])
    except FileNotFoundError:
        raise ClusterError(f"no cluster in {directory} (no {STATE_FILE})") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ClusterError(f"cannot read {path}: {exc}") from None
    return state


def _write_state(directory: Path, state: dict[str, Any], nodes: list[_Node]) -> None:
    state = {**state, "nodes": [{"url": n.url, "pid": n.pid, "port": n.port, "home": str(n.home)} for n in nodes]}
    path = _state_path(directory)
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    scratch.replace(path)


def _nodes_of(state: dict[str, Any]) -> list[_Node]:
    return [_Node(i, int(n["port"]), Path(n["home"]), int(n["pid"])) for i, n in enumerate(state["nodes"])]


# --- start, stop, restart ---------------------------------------------------------------------


def start_cluster(directory: Path, nodes: int = 3, port: int | None = None,
                  timeout: float = START_TIMEOUT) -> dict[str, Any]:
    """Start ZooKeeper and ``nodes`` Solr nodes under ``directory``; wait until every node is live.

    Without ``port`` the nodes take free ports; with it, ``port``, ``port+1``, …  A directory
    whose cluster was stopped starts again on its old ports, so its collections come back.
    Returns ``{"zk": "127.0.0.1:PORT", "nodes": [{"url": …, "pid": …}, …]}``; on failure every
    process started is stopped again and the error names the node and its log.
    """
    if nodes < 1:
        raise ClusterError("a cluster needs at least one node")
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    launcher = _launcher(ensure_jars())
    zk_port, ports = _plan_ports(directory, nodes, port)
    cluster = [_Node(i, p, directory / f"node{i}") for i, p in enumerate(ports)]
    dump = None
    if launcher.archive is not None and not launcher.archive.is_file():  # node 0 writes it when it stops
        launcher.archive.parent.mkdir(parents=True, exist_ok=True)
        dump = launcher.archive.with_name(f"{launcher.archive.stem}.{os.getpid()}-{zk_port}.partial")
    state: dict[str, Any] = {"zk": f"{HOST}:{zk_port}", "zk_port": zk_port, "zk_pid": 0,
                             "cds_archive": str(launcher.archive or ""), "cds_dump": str(dump or "")}
    try:
        state["zk_pid"] = _start_zookeeper(launcher, directory, zk_port, timeout)
        for node in cluster:
            node.pid = _start_node(launcher.node_argv(node, zk_port, dump if node.index == 0 else None), node)
        _write_state(directory, state, cluster)
        _wait_live(cluster, timeout)
    except BaseException:
        _terminate([n.pid for n in cluster if n.pid], NODE_MARK, timeout=10.0)
        _terminate([state["zk_pid"]], ZK_MARK, timeout=10.0)
        if dump is not None:
            dump.unlink(missing_ok=True)
        raise
    return {"zk": state["zk"], "nodes": [{"url": n.url, "pid": n.pid} for n in cluster]}


def _plan_ports(directory: Path, nodes: int, port: int | None) -> tuple[int, list[int]]:
    """ZooKeeper's port and the nodes' ports; refuses a directory whose cluster still runs.

    A stopped cluster's nodes take their old ports again: ZooKeeper knows replicas by their
    node's address, so a node on a new port would leave its replicas without a home.
    """
    previous: list[_Node] = []
    if _state_path(directory).is_file():
        state = _read_state(directory)
        previous = _nodes_of(state)
        if any(_running(n.pid, NODE_MARK) for n in previous) or _running(int(state.get("zk_pid", 0)), ZK_MARK):
            raise ClusterError(f"a cluster is already running from {directory}: stop it first")
    if port is not None:
        fixed = list(range(port, port + nodes))
    else:
        fixed = [n.port for n in previous] if len(previous) == nodes else []
    for p in fixed:
        _check_free(p)
    spare = [p for p in _free_ports(nodes + 1) if p not in fixed]
    return spare.pop(), fixed or spare[:nodes]


def _start_zookeeper(launcher: _Launcher, directory: Path, port: int, timeout: float) -> int:
    """ZooKeeper in its own JVM; its pid once it answers ``ruok``."""
    home = directory / "zk"
    (home / "data").mkdir(parents=True, exist_ok=True)
    config = home / "zoo.cfg"
    config.write_text(
        f"tickTime=2000\ndataDir={home / 'data'}\nclientPort={port}\nclientPortAddress={HOST}\n"
        "admin.enableServer=false\n4lw.commands.whitelist=*\n",
        encoding="utf-8",
    )
    jars = launcher.classpath.split(os.pathsep)[-1]
    argv = [launcher.java, *ZK_JVM, "-cp", jars, "org.apache.zookeeper.server.quorum.QuorumPeerMain", str(config)]
    log = directory / "zk.log"
    pid = _spawn(argv, log)
    deadline = time.monotonic() + min(timeout, 60.0)
    while not _zk_answers(port):
        if not _running(pid, ZK_MARK):
            raise ClusterError(f"ZooKeeper exited at start; see {log}")
        if time.monotonic() > deadline:
            _terminate([pid], ZK_MARK, timeout=5.0)
            raise ClusterError(f"ZooKeeper did not answer on port {port}; see {log}")
        time.sleep(0.1)
    return pid


def _start_node(argv: list[str], node: _Node) -> int:
    node.home.mkdir(parents=True, exist_ok=True)
    solr_xml = node.home / "solr.xml"
    if not solr_xml.is_file():
        solr_xml.write_text(SOLR_XML, encoding="utf-8")
    return _spawn(argv, node.log)


def _wait_live(nodes: list[_Node], timeout: float) -> None:
    """Until CLUSTERSTATUS lists every node as live; fails fast when a node's JVM exits."""
    deadline = time.monotonic() + timeout
    missing = list(nodes)
    while True:
        for node in missing:
            if not _running(node.pid, NODE_MARK):
                raise ClusterError(f"Solr node {node.index} (port {node.port}) exited at start; see {node.log}")
        live = _live_names(nodes)
        missing = [node for node in nodes if node.live_name not in live]
        if not missing:
            return
        if time.monotonic() > deadline:
            node = missing[0]
            raise ClusterError(f"Solr node {node.index} (port {node.port}) not live after {timeout:.0f} s; "
                               f"see {node.log}")
        time.sleep(0.25)


def _live_names(nodes: list[_Node]) -> set[str]:
    """The live nodes as ZooKeeper lists them, asked of the first node that answers."""
    for node in nodes:
        client = SolrClient(node.url, timeout=5.0)
        try:
            status = client.admin("CLUSTERSTATUS")
        except SolrError:
            continue
        finally:
            client.close()
        return set(status.get("cluster", {}).get("live_nodes", []))
    return set()


def stop_cluster(directory: Path) -> int:
    """Stop the nodes, then ZooKeeper (nodes first: they leave the cluster cleanly while ZK answers).

    Returns how many processes were running; a cluster already down is not an error.
    """
    state = _read_state(Path(directory))
    nodes = _nodes_of(state)
    stopped, killed = _terminate([n.pid for n in nodes], NODE_MARK)
    _keep_archive(state, clean=nodes[0].pid not in killed)
    return stopped + _terminate([int(state.get("zk_pid", 0))], ZK_MARK)[0]


def _keep_archive(state: dict[str, Any], clean: bool) -> None:
    """Move the CDS archive node 0 wrote at exit into place, unless it was killed mid-write."""
    dump, archive = Path(state.get("cds_dump") or ""), Path(state.get("cds_archive") or "")
    if not state.get("cds_dump") or not dump.is_file():
        return
    if clean and dump.stat().st_size > 0 and not archive.is_file():
        dump.replace(archive)
        for stale in archive.parent.glob("*.jsa"):  # archives of earlier jars or JDKs: 50 MB each
            if stale != archive:
                stale.unlink(missing_ok=True)
    else:
        dump.unlink(missing_ok=True)


def restart_node(directory: Path, index: int, timeout: float = START_TIMEOUT) -> dict[str, Any]:
    """Start node ``index`` again on its port and home (after it was killed); wait until it is live.

    Its cores are still in its home, so it takes its replicas back and recovers them from the
    shard leaders.  Returns ``{"url": …, "pid": …}``.
    """
    directory = Path(directory).resolve()
    state = _read_state(directory)
    cluster = _nodes_of(state)
    if not 0 <= index < len(cluster):
        raise ClusterError(f"no node {index} in {directory} (it has {len(cluster)})")
    node = cluster[index]
    if not _wait_gone(node.pid, NODE_MARK, 2.0):  # a node SIGKILLed a moment ago is still exiting
        raise ClusterError(f"Solr node {index} is still running (pid {node.pid})")
    _check_free(node.port)
    launcher = _launcher(ensure_jars())
    node.pid = _start_node(launcher.node_argv(node, int(state["zk_port"])), node)
    _write_state(directory, state, cluster)
    try:
        _wait_live([node], timeout)
    except BaseException:
        _terminate([node.pid], NODE_MARK, timeout=10.0)
        raise
    return {"url": node.url, "pid": node.pid}
