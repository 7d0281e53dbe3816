#!/usr/bin/python3
"""Build the Windows MSI from a stand-in payload with wixl, sign it with osslsigncode
and a throwaway certificate, and verify it: proves klasse.wxs and the signing step on
Linux (the real payload, a PyInstaller onedir, needs a Windows runner:
packaging/ci/installers.yml).

  packaging/windows/standin_msi.py OUTDIR [--timestamp URL]

OUTDIR gets klasse-standin.msi (unsigned), klasse-standin-signed.msi and the test CA
(ca.pem) that verifies it. The certificate and keys are generated per run and are
worth nothing outside it. Timestamping needs the timestamp server's URL and network
access; the CI workflow timestamps, the local run does not (no network here).
Stdlib only; needs wixl + wixl-heat (msitools), osslsigncode and openssl.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSION = "0.1.0"
MARKER = b"Klasse stand-in payload: not a Windows program"


def run(*cmd: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"standin_msi: {' '.join(map(str, cmd))} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def payload(out: Path) -> Path:
    """What PyInstaller would put in the onedir: the two launchers and a data file."""
    onedir = out / "Klasse"
    shutil.rmtree(onedir, ignore_errors=True)
    (onedir / "_internal").mkdir(parents=True)
    (onedir / "klasse.exe").write_bytes(MARKER + b" (window)\n")
    (onedir / "klasse-cli.exe").write_bytes(MARKER + b" (console)\n")
    (onedir / "_internal/base_library.zip").write_bytes(MARKER + b" (library)\n")
    return onedir


def build_msi(out: Path, onedir: Path) -> Path:
    files = sorted(p.relative_to(out).as_posix() for p in onedir.rglob("*") if p.is_file())
    fragment = subprocess.run(
        ["wixl-heat", "--prefix", f"{onedir.name}/", "--directory-ref", "INSTALLDIR",
         "--component-group", "KlasseFiles", "--var", "var.SourceDir", "--win64"],
        input="\n".join(files) + "\n", capture_output=True, text=True, check=True, cwd=out).stdout
    (out / "files.wxs").write_text(fragment)
    msi = out / "klasse-standin.msi"
    # wixl resolves Source paths relative to the working directory.
    run("wixl", "-a", "x64", "-D", f"Version={VERSION}", "-D", "Win64=yes", "-D",
        f"SourceDir={onedir.name}", "-o", msi.name, HERE / "klasse.wxs", "files.wxs", cwd=out)
    return msi


def throwaway_certificate(out: Path) -> tuple[Path, Path, Path]:
    """A test CA and a code-signing certificate it issued (RSA 2048, valid 2 days)."""
    ca_key, ca, key, csr, cert = (out / n for n in ("ca.key", "ca.pem", "sign.key", "sign.csr",
                                                    "sign.pem"))
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
        "-days", "2", "-subj", "/CN=Klasse throwaway test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
        "-subj", "/CN=Klasse throwaway code signing")
    ext = out / "sign.ext"
    ext.write_text("extendedKeyUsage=codeSigning\nkeyUsage=critical,digitalSignature\n")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
        "-out", cert, "-days", "2", "-extfile", ext)
    return ca, cert, key


def sign(msi: Path, cert: Path, key: Path, timestamp: str | None) -> Path:
    signed = msi.with_name(msi.stem + "-signed.msi")
    signed.unlink(missing_ok=True)
    cmd: list[str | Path] = ["osslsigncode", "sign", "-certs", cert, "-key", key, "-h", "sha256",
                             "-n", "Klasse", "-i", "https://klasse.invalid", "-in", msi,
                             "-out", signed]
    if timestamp:
        cmd[2:2] = ["-ts", timestamp]
    run(*cmd)
    return signed


def verify(msi: Path, ca: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["osslsigncode", "verify", "-CAfile", str(ca), "-in", str(msi)],
                          capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--timestamp", default=None, help="RFC 3161 timestamp server URL")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    msi = build_msi(out, payload(out))
    ca, cert, key = throwaway_certificate(out)
    signed = sign(msi, cert, key, args.timestamp)
    result = verify(signed, ca)
    if result.returncode != 0:
        raise SystemExit(f"standin_msi: the signed MSI does not verify:\n{result.stdout}{result.stderr}")
    print(f"standin_msi: {signed} ({signed.stat().st_size} bytes) signed and verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
