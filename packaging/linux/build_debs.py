#!/usr/bin/python3
"""Build the Linux packages: `klasse` (desktop client) and `klasse-server` (room service).

Each package carries a private virtualenv on Debian's own python3 (/opt/klasse,
/opt/klasse-server): measured smaller and faster to start than a PyInstaller onedir
(docs/deploy.md, bench/package_size.py). Run by `make packages` with the system
python3; stdlib only. Output: build/debs/*.deb, and build/debs/sizes.json with the
installed size of each component (read by bench/package_size.py).

  packaging/linux/build_debs.py [--out build/debs] [client] [server]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = "/usr/bin/python3"          # Debian's python3: the venv links to it, never copies it
PYVER = "3.11"
ARCH = "amd64"
MAINTAINER = "Klasse packaging <packaging@klasse.invalid>"
# What the client loads from the system rather than from its wheels: Qt's xcb platform
# plugin and OpenGL/EGL, fontconfig, D-Bus (keyring's Secret Service). Checked in a
# clean Debian root by `make packages-test` (ldd over every bundled library).
CLIENT_DEPENDS = [f"python3 (>= {PYVER})", "python3 (<< 3.12)", "libxcb-icccm4",
                  "libxcb-keysyms1", "libxcb-cursor0", "libxcb-image0", "libxcb-render-util0",
                  "libxcb-randr0", "libxcb-shape0", "libxcb-xinerama0", "libxcb-xkb1",
                  "libxkbcommon-x11-0", "libegl1", "libgl1", "libfontconfig1", "libdbus-1-3",
                  "libglib2.0-0", "libx11-xcb1", "libwayland-client0", "libwayland-cursor0",
                  "libwayland-egl1",
                  # loaded through ctypes by mss (screen sharing), so ldd cannot see them
                  "libx11-6", "libxfixes3", "libxrandr2", "libxcb1"]
SERVER_DEPENDS = [f"python3 (>= {PYVER})", "python3 (<< 3.12)", "janus (>= 1.1)", "adduser"]

# Qt parts the widgets client never loads (ui/ uses QtCore, QtGui, QtWidgets only).
QT_KEEP_MODULES = {"QtCore", "QtGui", "QtWidgets", "QtDBus", "QtNetwork", "QtSvg"}
QT_KEEP_LIBS = re.compile(r"libQt6(Core|Gui|Widgets|DBus|Network|Svg|XcbQpa|OpenGL|"
                          r"WaylandClient)\.so|libicu|libpyside|libshiboken")
QT_KEEP_PLUGINS = {"platforms", "imageformats", "iconengines", "xcbglintegrations",
                   "platforminputcontexts", "platformthemes", "tls", "generic",
                   "wayland-shell-integration", "wayland-graphics-integration-client",
                   "wayland-decoration-client"}
# FFmpeg libraries both OpenCV and PyAV bundle; cv2 is pointed at PyAV's copy.
FFMPEG_LIBS = ("libavcodec", "libavformat", "libavutil", "libswscale", "libswresample")


def run(*cmd: str | Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def du(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build_id() -> str:
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=10", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "nogit", ""
    return f"g{commit}{'+dirty' if dirty.strip() else ''} {time.strftime('%Y-%m-%d', time.gmtime())}"


def project_version() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    return re.search(r'^version = "([^"]+)"', text, re.M).group(1)  # type: ignore[union-attr]


def build_wheel(out: Path) -> Path:
    wheels = out / "wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    run(PY, "-m", "venv", out / "wheel-venv") if not (out / "wheel-venv").exists() else None
    run(out / "wheel-venv/bin/pip", "wheel", "-q", "--no-deps", "-w", wheels, ROOT)
    return next(wheels.glob("klasse-*.whl"))


def make_venv(prefix: Path, wheel: Path, extra: str) -> Path:
    """A venv at `prefix` (inside the staging root) with klasse[extra] and its deps."""
    shutil.rmtree(prefix, ignore_errors=True)
    run(PY, "-m", "venv", prefix)
    run(prefix / "bin/pip", "install", "-q", "--no-compile", "--disable-pip-version-check",
        f"klasse[{extra}] @ {wheel.as_uri()}")
    return prefix / "lib" / f"python{PYVER}" / "site-packages"


def relocate(prefix: Path, target: str, command: str) -> None:
    """Point the venv's scripts and config at its installed path; keep only the
    interpreter and the package's own command (drop pip and the wheels' tools)."""
    site = prefix / "lib" / f"python{PYVER}" / "site-packages"
    for name in ("pip", "setuptools", "_distutils_hack", "pkg_resources", "distutils-precedence.pth"):
        for path in site.glob(name):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        for path in site.glob(f"{name}-*.dist-info"):
            shutil.rmtree(path)
    for script in (prefix / "bin").iterdir():
        if not script.name.startswith("python") and script.name != command:
            script.unlink()
            continue
        if script.is_symlink() or not script.is_file():
            continue
        data = script.read_bytes()
        if data.startswith(b"#!"):
            script.write_bytes(data.replace(str(prefix).encode(), target.encode()))
    cfg = prefix / "pyvenv.cfg"
    cfg.write_text("".join(line for line in cfg.read_text().splitlines(True)
                           if not line.startswith("command")))


def prune_common(site: Path) -> None:
    for pattern in ("**/tests", "**/testing", "**/__pycache__"):
        for path in list(site.glob(pattern)):
            if path.is_dir() and "klasse" not in path.parts:
                shutil.rmtree(path, ignore_errors=True)


def prune_qt(site: Path) -> None:
    qt = site / "PySide6"
    for path in qt.iterdir():
        stem = path.name.split(".")[0]
        if stem.startswith("Qt") and stem != "Qt" and stem not in QT_KEEP_MODULES:
            path.unlink()
        elif path.name.endswith(".pyi") or path.name in (
                "designer", "assistant", "linguist", "lupdate", "lrelease", "qmlformat",
                "qmllint", "qmlls", "svgtoqml", "include", "lib", "glue", "doc",
                "typesystems", "scripts", "libpyside6qml.abi3.so.6.11"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for path in (qt / "Qt/lib").iterdir():
        if not QT_KEEP_LIBS.search(path.name):
            path.unlink()
    for path in (qt / "Qt/plugins").iterdir():
        if path.name not in QT_KEEP_PLUGINS:
            shutil.rmtree(path)
    for name in ("qml", "libexec", "metatypes", "modules"):
        shutil.rmtree(qt / "Qt" / name, ignore_errors=True)
    # Qt's own translations: only the languages the client offers.
    for path in (qt / "Qt/translations").glob("*.qm"):
        if not re.search(r"_(de|nl|en)\.qm$", path.name) or not path.name.startswith(("qt_", "qtbase_")):
            path.unlink()
    # A plugin whose Qt library was pruned would fail to load: drop it too.
    for plugin in (qt / "Qt/plugins").rglob("*.so"):
        needed = readelf_needed(plugin)
        if any(n.startswith("libQt6") and not (qt / "Qt/lib" / n).exists() for n in needed):
            plugin.unlink()


def prune_runtime_extras(site: Path) -> None:
    """Parts of the wheels Klasse never loads: OpenCV's Haar cascades, LiteRT's WebGPU
    accelerator, NPU vendor plugins and model tools (the blur runs LiteRT's CPU
    interpreter), Qt's GTK theme plugin (it would need GTK)."""
    for rel in ("cv2/data", "ai_edge_litert/libLiteRtWebGpuAccelerator.so",
                "ai_edge_litert/tools/apply_plugin_main", "ai_edge_litert/vendors",
                "PySide6/Qt/plugins/platformthemes/libqgtk3.so"):
        path = site / rel
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


SMOKE = """
import sys
import av, cv2, numpy
from PySide6 import QtCore, QtGui, QtWidgets
from klasse.media import segmentation, blur_model
from klasse.app.version import version_text
seg = segmentation.load_segmenter(backend="litert")
mask = seg.infer(numpy.zeros((seg.height, seg.width, 3), numpy.uint8))
assert seg.backend == "litert" and mask.shape == (seg.height, seg.width), mask.shape
print(version_text(), "cv2", cv2.__version__, "av", av.__version__, file=sys.stderr)
"""


def smoke_test(prefix: Path, models: Path) -> None:
    """The pruned venv still imports everything the client loads, and the blur model
    runs in LiteRT (catches a pruned library that something still needs)."""
    env = {**os.environ, "KLASSE_MODEL_DIR": str(models), "QT_QPA_PLATFORM": "offscreen"}
    run(prefix / "bin/python", "-c", SMOKE, env=env)
    run(prefix / "bin/python", "-m", "klasse.app.cli", "blur-preview",
        ROOT / "resources/backgrounds/soft-light.png", prefix.parent.parent / "smoke.png", env=env)
    (prefix.parent.parent / "smoke.png").unlink()


def readelf_needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def share_ffmpeg(site: Path) -> None:
    """cv2 and av ship the same FFmpeg release: make cv2 load av's and drop its own copy
    (and whatever only that copy needed)."""
    cv_libs, av_libs = site / "opencv_python_headless.libs", site / "av.libs"
    cv2_so = next((site / "cv2").glob("cv2*.so"))
    mapping = {}
    for lib in cv_libs.iterdir():
        base = lib.name.split("-")[0]
        if base in FFMPEG_LIBS:
            version = lib.name.split(".so.")[1]
            twin = [p for p in av_libs.glob(f"{base}-*.so.*") if p.name.split(".so.")[1] == version]
            if not twin:
                print(f"build_debs: {lib.name} has no same-version copy in av; kept")
                continue
            mapping[lib.name] = twin[0].name
    if not mapping:
        return
    for elf in [cv2_so, *cv_libs.iterdir()]:
        for old in readelf_needed(elf):
            if old in mapping:
                run("patchelf", "--replace-needed", old, mapping[old], elf)
    run("patchelf", "--set-rpath", "$ORIGIN/../opencv_python_headless.libs:$ORIGIN/../av.libs",
        cv2_so)
    for lib in list(cv_libs.iterdir()):
        if lib.name in mapping:
            lib.unlink()
    # Drop libraries nothing in cv2 needs any more (those only the old FFmpeg loaded).
    while True:
        needed = {n for elf in [cv2_so, *cv_libs.iterdir()] for n in readelf_needed(elf)}
        orphans = [lib for lib in cv_libs.iterdir() if lib.name not in needed]
        if not orphans:
            break
        for lib in orphans:
            lib.unlink()


def compile_site(site: Path, target_site: str) -> None:
    """Byte-code at build time (faster first start; nothing written at run time that
    a purge would leave behind), with the installed paths in tracebacks."""
    run(PY, "-m", "compileall", "-q", "-f", "-j0", "-d", target_site, site)


def verified_models(dest: Path) -> None:
    sys.path.insert(0, str(ROOT))
    spec = __import__("media.blur_model", fromlist=["MODELS"])
    dest.mkdir(parents=True)
    src_dir = Path(os.environ.get("KLASSE_MODEL_DIR") or ROOT / ".models")
    for model in spec.MODELS:
        data = (src_dir / model.filename).read_bytes()
        if hashlib.sha256(data).hexdigest() != model.sha256 or len(data) != model.size:
            raise SystemExit(f"build_debs: {model.filename} fails its sha256 check; "
                             "run `make model`")
        (dest / model.filename).write_bytes(data)


def control(stage: Path, name: str, depends: list[str], description: str,
            recommends: list[str] = ()) -> None:
    (stage / "DEBIAN").mkdir(parents=True, exist_ok=True)
    size_kb = du(stage) // 1024
    lines = [f"Package: {name}", f"Version: {project_version()}", f"Architecture: {ARCH}",
             f"Maintainer: {MAINTAINER}", f"Installed-Size: {size_kb}",
             f"Depends: {', '.join(depends)}"]
    if recommends:
        lines.append(f"Recommends: {', '.join(recommends)}")
    lines += ["Section: education", "Priority: optional", "Homepage: https://klasse.invalid",
              f"Description: {description}"]
    (stage / "DEBIAN/control").write_text("\n".join(lines) + "\n")


def script(stage: Path, name: str, body: str) -> None:
    path = stage / "DEBIAN" / name
    path.write_text("#!/bin/sh\nset -e\n" + body)
    path.chmod(0o755)


def dpkg_deb(stage: Path, out: Path) -> Path:
    for path in stage.rglob("*"):        # root-owned, no group/other write
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o022)
    deb = out / f"{stage.name}_{project_version()}_{ARCH}.deb"
    run("dpkg-deb", "--root-owner-group", "-Zxz", "-z6", "--threads-max=2", "--build", stage, deb,
        stdout=subprocess.DEVNULL)
    return deb


def components(site: Path, prefix: Path) -> dict[str, int]:
    """Installed bytes per component, for bench/package_size.py."""
    groups = {"PySide6 (Qt)": ["PySide6", "shiboken6"], "OpenCV": ["cv2", "opencv_python_headless.libs"],
              "PyAV + FFmpeg": ["av", "av.libs"], "numpy": ["numpy", "numpy.libs"],
              "LiteRT (blur runtime)": ["ai_edge_litert"], "klasse": ["klasse"]}
    sizes: dict[str, int] = {}
    counted: set[Path] = set()
    for label, names in groups.items():
        paths = [site / n for n in names if (site / n).exists()]
        if paths:
            sizes[label] = sum(du(p) for p in paths)
            counted.update(paths)
    sizes["other Python packages"] = sum(du(p) for p in site.iterdir() if p not in counted)
    sizes["venv (bin, config)"] = du(prefix) - du(site)
    return sizes


def build_client(out: Path, wheel: Path, build: str) -> dict[str, object]:
    stage = out / "klasse"
    shutil.rmtree(stage, ignore_errors=True)
    prefix = stage / "opt/klasse"
    site = make_venv(prefix, wheel, "client")
    prune_common(site)
    prune_qt(site)
    prune_runtime_extras(site)
    share_ffmpeg(site)
    verified_models(prefix / "share/models")
    smoke_test(prefix, prefix / "share/models")
    relocate(prefix, "/opt/klasse", "klasse")
    (site / "klasse/app/BUILD").write_text(build + "\n")
    compile_site(site, f"/opt/klasse/lib/python{PYVER}/site-packages")
    launcher = stage / "usr/bin/klasse"
    launcher.parent.mkdir(parents=True)
    launcher.write_text("#!/bin/sh\n# Klasse desktop client; the blur models ship with it.\n"
                        "KLASSE_MODEL_DIR=/opt/klasse/share/models exec /opt/klasse/bin/klasse \"$@\"\n")
    launcher.chmod(0o755)
    apps = stage / "usr/share/applications"
    apps.mkdir(parents=True)
    shutil.copy(ROOT / "packaging/linux/klasse.desktop", apps / "klasse.desktop")
    icons = stage / "usr/share/icons/hicolor/scalable/apps"
    icons.mkdir(parents=True)
    shutil.copy(ROOT / "packaging/linux/klasse.svg", icons / "klasse.svg")
    doc = stage / "usr/share/doc/klasse"
    doc.mkdir(parents=True)
    shutil.copy(ROOT / "packaging/policy.conf.example", doc / "policy.conf.example")
    (doc / "copyright").write_text("Klasse: see the project's licence. Bundled wheels keep "
                                   "their licence files in /opt/klasse/lib.\n"
                                   "Blur models: MediaPipe selfie segmentation, Apache-2.0.\n")
    depends = list(CLIENT_DEPENDS)
    if (site / "sounddevice.py").exists() or (site / "_sounddevice.py").exists():
        depends.append("libportaudio2")
    control(stage, "klasse", depends, "Klasse video lessons: desktop client\n"
            " Privacy-first video lessons for schools. Installs /opt/klasse with the\n"
            " `klasse` command, the klasse:// link handler and the blur models.",
            recommends=["libasound2-plugins"] if "libportaudio2" in depends else [])
    sizes = components(site, prefix)
    sizes["blur models"] = du(prefix / "share/models")
    deb = dpkg_deb(stage, out)
    return {"deb": deb.name, "deb_bytes": deb.stat().st_size, "installed": sizes}


SERVER_POSTINST = """\
if [ "$1" = configure ]; then
    # The system user the unit runs as (sysusers.d/klasse-server.conf).
    if command -v systemd-sysusers >/dev/null 2>&1; then
        systemd-sysusers klasse-server.conf
    elif ! getent passwd klasse >/dev/null; then
        adduser --system --group --home /var/lib/klasse --no-create-home klasse
    fi
    # Accounts and the link key live here; `klasse-server user add` needs it before
    # the first start (systemd's StateDirectory keeps it 0700 afterwards).
    install -d -m 700 -o klasse -g klasse /var/lib/klasse
    deb-systemd-helper unmask klasse-server.service >/dev/null || true
    if deb-systemd-helper --quiet was-enabled klasse-server.service; then
        deb-systemd-helper enable klasse-server.service >/dev/null || true
    else
        deb-systemd-helper update-state klasse-server.service >/dev/null || true
    fi
    if [ -d /run/systemd/system ]; then
        systemctl --system daemon-reload >/dev/null || true
        # Starts only once /etc/klasse/server.toml exists (ConditionPathExists).
        deb-systemd-invoke restart klasse-server.service >/dev/null || true
    fi
fi
"""
SERVER_PRERM = """\
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
    deb-systemd-invoke stop klasse-server.service >/dev/null || true
fi
"""
SERVER_POSTRM = """\
if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = remove ]; then
    deb-systemd-helper mask klasse-server.service >/dev/null || true
fi
if [ "$1" = purge ]; then
    deb-systemd-helper purge klasse-server.service >/dev/null || true
    deb-systemd-helper unmask klasse-server.service >/dev/null || true
    # Accounts, link key and recordings: purge means the school wants them gone.
    rm -rf /var/lib/klasse /var/lib/private/klasse
    if getent passwd klasse >/dev/null; then
        userdel klasse >/dev/null 2>&1 || true
    fi
    if getent group klasse >/dev/null; then
        groupdel klasse >/dev/null 2>&1 || true
    fi
fi
"""


def build_server(out: Path, wheel: Path, build: str) -> dict[str, object]:
    stage = out / "klasse-server"
    shutil.rmtree(stage, ignore_errors=True)
    prefix = stage / "opt/klasse-server"
    site = make_venv(prefix, wheel, "server")
    for heavy in ("PySide6", "cv2", "numpy", "aiortc"):
        if (site / heavy).exists():
            raise SystemExit(f"build_debs: the server venv pulled in {heavy}; check the "
                             "`server` extra in pyproject.toml")
    prune_common(site)
    relocate(prefix, "/opt/klasse-server", "klasse-server")
    (site / "klasse/app/BUILD").write_text(build + "\n")
    compile_site(site, f"/opt/klasse-server/lib/python{PYVER}/site-packages")
    bindir = stage / "usr/bin"
    bindir.mkdir(parents=True)
    (bindir / "klasse-server").symlink_to("/opt/klasse-server/bin/klasse-server")
    unit_dir = stage / "usr/lib/systemd/system"
    unit_dir.mkdir(parents=True)
    shutil.copy(ROOT / "packaging/server/klasse-server.service", unit_dir)
    sysusers = stage / "usr/lib/sysusers.d"
    sysusers.mkdir(parents=True)
    shutil.copy(ROOT / "packaging/server/klasse-server.sysusers", sysusers / "klasse-server.conf")
    doc = stage / "usr/share/doc/klasse-server/examples"
    doc.mkdir(parents=True)
    shutil.copy(ROOT / "packaging/server/server.toml.example", doc / "server.toml")
    control(stage, "klasse-server", SERVER_DEPENDS, "Klasse video lessons: room service\n"
            " The school's room service beside its own Janus WebRTC server. Installs\n"
            " /opt/klasse-server and a hardened systemd unit that starts once\n"
            " /etc/klasse/server.toml exists.")
    script(stage, "postinst", SERVER_POSTINST)
    script(stage, "prerm", SERVER_PRERM)
    script(stage, "postrm", SERVER_POSTRM)
    sizes = components(site, prefix)
    deb = dpkg_deb(stage, out)
    return {"deb": deb.name, "deb_bytes": deb.stat().st_size, "installed": sizes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build/debs")
    parser.add_argument("which", nargs="*", help="client, server (default: both)")
    args = parser.parse_args(argv)
    args.which = args.which or ["client", "server"]
    if set(args.which) - {"client", "server"}:
        parser.error("build client and/or server")
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    build = build_id()
    wheel = build_wheel(out)
    sizes_file = out / "sizes.json"
    report = json.loads(sizes_file.read_text()) if sizes_file.exists() else {}
    for which in args.which:
        started = time.monotonic()
        result = (build_client if which == "client" else build_server)(out, wheel, build)
        result["build_seconds"] = round(time.monotonic() - started, 1)
        report[which] = result
        print(f"build_debs: {result['deb']}: {result['deb_bytes'] / 1e6:.1f} MB "
              f"({result['build_seconds']} s)")
    report["build"] = build
    sizes_file.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
