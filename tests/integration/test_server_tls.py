"""With a certificate and key in its config the service speaks wss:// and its links say so."""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.asyncio.client import connect

from klasse.app import protocol as p
from klasse.server.config import Config, JanusInstance
from klasse.server.janus_process import JanusProcess
from klasse.server.service import RoomService

SERVER_ADDR = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "klasse test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(SERVER_ADDR))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


async def test_tls_service(janus: JanusProcess, tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    s = janus.settings
    cfg = Config(listen=SERVER_ADDR, port=0, data=tmp_path / "data", tls_cert=cert, tls_key=key,
                 janus=(JanusInstance(s.api_url, s.api_secret, s.admin_url, s.admin_secret,
                                      s.admin_secret),))
    service = RoomService(cfg)
    await service.start()
    try:
        assert service.url.startswith("wss://")
        link = p.parse_link(service.create_links("t", "", 600)["pupil_link"])
        assert link.tls and link.service_url == f"wss://{SERVER_ADDR}:{service.port}/"
        ctx = ssl.create_default_context(cafile=str(cert))
        async with connect(link.service_url, ssl=ctx) as ws:
            await ws.send(p.encode(p.Ping(rid=1)))
            assert p.decode_server(await ws.recv()) == p.Pong(rid=1)
    finally:
        await service.stop()
