import datetime
import os
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management.base import BaseCommand, CommandError, CommandParser

ROOT_FILE = "root.pem"
CHAIN_FILE = "chain.pem"
KEY_FILE = "leaf.key"

# c2pa-rs checks the signing certificate's profile when it signs and again when it reads: the
# leaf must not be self-signed, must have digitalSignature and an EKU from its list.
# emailProtection passes both checks with default trust settings; documentSigning
# (1.3.6.1.5.5.7.3.36) signs but reads back as "certificate missing required EKU" in c2pa-rs
# 0.91, and serverAuth is refused at signing.
LEAF_EKU = ExtendedKeyUsageOID.EMAIL_PROTECTION

ROOT_LIFETIME = datetime.timedelta(days=3650)
LEAF_LIFETIME = datetime.timedelta(days=730)
# Tolerates a clock a little behind the machine that made the chain.
BACKDATE = datetime.timedelta(hours=1)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Brandloom (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, digital_signature: bool, key_cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=key_cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def build_dev_chain() -> tuple[bytes, bytes, bytes]:
    """Return (root PEM, chain PEM: leaf then root, leaf key PEM), all on P-256."""
    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Brandloom Dev C2PA Root CA")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + ROOT_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(digital_signature=False, key_cert_sign=True), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )

    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("Brandloom Dev C2PA Signer"))
        .issuer_name(root_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + LEAF_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, key_cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([LEAF_EKU]), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )

    root_pem = root.public_bytes(serialization.Encoding.PEM)
    chain_pem = leaf.public_bytes(serialization.Encoding.PEM) + root_pem
    key_pem = leaf_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return root_pem, chain_pem, key_pem


class Command(BaseCommand):
    help = (
        "Write a development C2PA signing chain (a root CA and an ES256 leaf it signed) as "
        "root.pem, chain.pem (leaf then root) and leaf.key into --out, and print the "
        "APP_C2PA_* lines to set. For development and tests only: nobody else trusts this root."
    )
    # It only writes files, so it should work even while the project's checks fail (this is
    # often the first command run on a fresh checkout).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, metavar="DIR", help="Folder to write to.")
        parser.add_argument(
            "--force", action="store_true", help="Replace files already in the folder."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"]).resolve()
        paths = {name: out / name for name in (ROOT_FILE, CHAIN_FILE, KEY_FILE)}
        existing = sorted(name for name, path in paths.items() if path.exists())
        if existing and not options["force"]:
            raise CommandError(
                f"{out} already holds {', '.join(existing)}; pass --force to replace them."
            )
        out.mkdir(parents=True, exist_ok=True)
        root_pem, chain_pem, key_pem = build_dev_chain()
        paths[ROOT_FILE].write_bytes(root_pem)
        paths[CHAIN_FILE].write_bytes(chain_pem)
        _write_private(paths[KEY_FILE], key_pem)

        self.stdout.write(f"Wrote a development C2PA chain to {out}; set:")
        self.stdout.write(f"APP_C2PA_CERT_CHAIN={paths[CHAIN_FILE]}")
        self.stdout.write(f"APP_C2PA_PRIVATE_KEY={paths[KEY_FILE]}")
        self.stdout.write(f"APP_C2PA_TRUST_ANCHORS={paths[ROOT_FILE]}")


def _write_private(path: Path, data: bytes) -> None:
    # Created 0600 rather than chmod-ed afterwards, so the key is never readable by others,
    # even for a moment; the chmod covers a file that --force replaces.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)
