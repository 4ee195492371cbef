import datetime
import io
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from PIL import Image

from provenance import c2pa_manifest
from provenance.c2pa_manifest import ProvenanceFileError

FORMATS = [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
GENERATED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
COMPOSITE = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"


def make_chain(out: Path, *, force: bool = False) -> str:
    stdout = io.StringIO()
    call_command("c2pa_dev_certs", out=str(out), force=force, stdout=stdout)
    return stdout.getvalue()


def encode(pillow_format: str) -> bytes:
    # Noise, so that every format has a long run of image data to tamper with.
    bands = [Image.effect_noise((120, 80), 60 + 10 * i) for i in range(3)]
    buffer = io.BytesIO()
    Image.merge("RGB", bands).save(buffer, pillow_format)
    return buffer.getvalue()


def sign(data: bytes, mime_type: str, *, composite: bool = False) -> bytes:
    return c2pa_manifest.sign(
        data,
        mime_type,
        title="Serum poster",
        asset_id=42,
        generator="brandloom-test",
        generator_version="1.2.3",
        composite=composite,
    )


def tamper(signed: bytes, original: bytes) -> bytes:
    """Flip one bit in the image data that `sign` copied from `original`."""
    middle = len(original) // 2
    start = signed.index(original[middle : middle + 32])
    # A byte in 0x10..0xEF not after 0xFF stays clear of JPEG markers when its low bit flips.
    offset = next(
        i for i in range(start, start + 32) if 0x10 <= signed[i] <= 0xEF and signed[i - 1] != 0xFF
    )
    altered = bytearray(signed)
    altered[offset] ^= 0x01
    return bytes(altered)


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    c2pa_manifest.reset_signer_cache()
    yield
    c2pa_manifest.reset_signer_cache()


@pytest.fixture
def chain_dir(tmp_path: Path, settings) -> Path:
    out = tmp_path / "c2pa"
    make_chain(out)
    settings.APP_C2PA_CERT_CHAIN = str(out / "chain.pem")
    settings.APP_C2PA_PRIVATE_KEY = str(out / "leaf.key")
    settings.APP_C2PA_TRUST_ANCHORS = str(out / "root.pem")
    return out


@pytest.mark.parametrize(("pillow_format", "mime_type"), FORMATS)
def test_signed_image_reads_back_trusted_offline(
    chain_dir: Path, pillow_format: str, mime_type: str
) -> None:
    data = encode(pillow_format)

    signed = sign(data, mime_type)

    assert c2pa_manifest.read(signed, mime_type) == {
        "claim_generator": "brandloom-test/1.2.3",
        "title": "Serum poster",
        "digital_source_type": GENERATED,
        "actions": ["c2pa.created"],
        "asset_id": 42,
        "signature": {"issuer": "Brandloom (development)", "time": None},
        "validation": {"state": "trusted", "errors": []},
    }
    with Image.open(io.BytesIO(signed)) as after, Image.open(io.BytesIO(data)) as before:
        assert after.format == pillow_format
        assert after.tobytes() == before.tobytes()


def test_signed_image_has_no_thumbnail(chain_dir: Path) -> None:
    data = encode("JPEG")

    signed = sign(data, "image/jpeg")

    assert b"c2pa.thumbnail" not in signed
    # The manifest alone: a thumbnail of even this small image would add kilobytes more.
    assert len(signed) - len(data) < 8_000


@pytest.mark.parametrize(("pillow_format", "mime_type"), FORMATS)
def test_composite_is_labelled_composite_with_trained_algorithmic_media(
    chain_dir: Path, pillow_format: str, mime_type: str
) -> None:
    signed = sign(encode(pillow_format), mime_type, composite=True)

    summary = c2pa_manifest.read(signed, mime_type)

    assert summary is not None
    assert summary["digital_source_type"] == COMPOSITE
    assert summary["validation"]["state"] == "trusted"


@pytest.mark.parametrize(("pillow_format", "mime_type"), FORMATS)
def test_altered_image_data_reads_invalid_with_the_error_code(
    chain_dir: Path, pillow_format: str, mime_type: str
) -> None:
    data = encode(pillow_format)
    signed = sign(data, mime_type)

    summary = c2pa_manifest.read(tamper(signed, data), mime_type)

    assert summary is not None
    assert summary["validation"] == {"state": "invalid", "errors": ["assertion.dataHash.mismatch"]}
    assert summary["asset_id"] == 42


def test_altered_asset_id_reads_invalid_with_the_error_code(chain_dir: Path) -> None:
    signed = sign(encode("PNG"), "image/png")
    # The assertion's CBOR holds "asset_id" then 0x18 0x2a (42); make it 43.
    at = signed.index(b"asset_id\x18\x2a") + len(b"asset_id\x18")
    altered = signed[:at] + b"\x2b" + signed[at + 1 :]

    summary = c2pa_manifest.read(altered, "image/png")

    assert summary is not None
    assert summary["asset_id"] == 43
    assert summary["validation"] == {
        "state": "invalid",
        "errors": ["assertion.hashedURI.mismatch"],
    }


@pytest.mark.parametrize(("pillow_format", "mime_type"), FORMATS)
def test_reencoding_with_pillow_strips_the_manifest(
    chain_dir: Path, pillow_format: str, mime_type: str
) -> None:
    signed = sign(encode(pillow_format), mime_type)
    buffer = io.BytesIO()
    with Image.open(io.BytesIO(signed)) as image:
        image.save(buffer, pillow_format)

    assert c2pa_manifest.read(buffer.getvalue(), mime_type) is None


@pytest.mark.parametrize(("pillow_format", "mime_type"), FORMATS)
def test_unsigned_image_reads_none(chain_dir: Path, pillow_format: str, mime_type: str) -> None:
    assert c2pa_manifest.read(encode(pillow_format), mime_type) is None


def test_without_trust_anchors_a_signature_reads_valid_but_untrusted(
    chain_dir: Path, settings
) -> None:
    signed = sign(encode("JPEG"), "image/jpeg")
    settings.APP_C2PA_TRUST_ANCHORS = ""

    summary = c2pa_manifest.read(signed, "image/jpeg")

    assert summary is not None
    assert summary["validation"] == {"state": "valid", "errors": ["signingCredential.untrusted"]}


def test_a_chain_from_another_root_reads_untrusted(
    chain_dir: Path, tmp_path: Path, settings
) -> None:
    signed = sign(encode("PNG"), "image/png")
    make_chain(tmp_path / "other")
    settings.APP_C2PA_TRUST_ANCHORS = str(tmp_path / "other" / "root.pem")

    summary = c2pa_manifest.read(signed, "image/png")

    assert summary is not None
    assert summary["validation"] == {"state": "valid", "errors": ["signingCredential.untrusted"]}


def test_a_self_signed_leaf_is_refused_at_signing(tmp_path: Path, settings) -> None:
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Self-signed signer")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "chain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings.APP_C2PA_CERT_CHAIN = str(tmp_path / "chain.pem")
    settings.APP_C2PA_PRIVATE_KEY = str(tmp_path / "leaf.key")
    data = encode("JPEG")

    with pytest.raises(ImproperlyConfigured, match="certificate is invalid"):
        sign(data, "image/jpeg")


@pytest.mark.parametrize(
    ("chain", "key"), [("", ""), ("/some/chain.pem", ""), ("", "/some/leaf.key")]
)
def test_unconfigured_signer(settings, chain: str, key: str) -> None:
    settings.APP_C2PA_CERT_CHAIN = chain
    settings.APP_C2PA_PRIVATE_KEY = key

    assert c2pa_manifest.signer_configured() is False
    with pytest.raises(ImproperlyConfigured, match="APP_C2PA_CERT_CHAIN"):
        sign(encode("JPEG"), "image/jpeg")


def test_configured_signer(chain_dir: Path) -> None:
    assert c2pa_manifest.signer_configured() is True


@pytest.mark.parametrize(("pillow_format", "mime_type"), FORMATS)
@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"not an image at all" * 10, id="garbage"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[:40], id="header-only"),
        pytest.param(lambda data: data[: len(data) // 3], id="truncated-to-a-third"),
    ],
)
def test_damaged_file_raises_provenance_file_error(
    chain_dir: Path, pillow_format: str, mime_type: str, damage
) -> None:
    damaged = damage(sign(encode(pillow_format), mime_type))

    with pytest.raises(ProvenanceFileError):
        c2pa_manifest.read(damaged, mime_type)
    with pytest.raises(ProvenanceFileError):
        sign(damaged, mime_type)


def test_dev_chain_is_a_leaf_signed_by_a_root_ca(tmp_path: Path) -> None:
    output = make_chain(tmp_path / "c2pa")

    out = (tmp_path / "c2pa").resolve()
    assert output.splitlines() == [
        f"Wrote a development C2PA chain to {out}; set:",
        f"APP_C2PA_CERT_CHAIN={out / 'chain.pem'}",
        f"APP_C2PA_PRIVATE_KEY={out / 'leaf.key'}",
        f"APP_C2PA_TRUST_ANCHORS={out / 'root.pem'}",
    ]
    root = x509.load_pem_x509_certificate((out / "root.pem").read_bytes())
    leaf, chain_root = x509.load_pem_x509_certificates((out / "chain.pem").read_bytes())
    key = serialization.load_pem_private_key((out / "leaf.key").read_bytes(), password=None)
    assert chain_root == root
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert root.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign is True
    assert leaf.issuer == root.subject != leaf.subject
    leaf.verify_directly_issued_by(root)
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert list(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.EMAIL_PROTECTION
    ]
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert isinstance(key.curve, ec.SECP256R1)
    assert key.public_key() == leaf.public_key()
    assert stat.S_IMODE((out / "leaf.key").stat().st_mode) == 0o600


def test_dev_certs_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "c2pa"
    make_chain(out)
    before = {name: (out / name).read_bytes() for name in ("root.pem", "chain.pem", "leaf.key")}

    with pytest.raises(CommandError, match="pass --force"):
        make_chain(out)

    assert {name: (out / name).read_bytes() for name in before} == before


def test_dev_certs_replaces_with_force(tmp_path: Path) -> None:
    out = tmp_path / "c2pa"
    make_chain(out)
    old_key = (out / "leaf.key").read_bytes()
    (out / "leaf.key").chmod(0o644)

    make_chain(out, force=True)

    assert (out / "leaf.key").read_bytes() != old_key
    assert stat.S_IMODE((out / "leaf.key").stat().st_mode) == 0o600
