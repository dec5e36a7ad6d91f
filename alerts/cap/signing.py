"""The enveloped XML signature of a CAP message (RSA-SHA256, exclusive c14n, certificate in
KeyInfo), and its verification against the certificate the message carries."""

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from lxml import etree
from signxml import XMLSigner, XMLVerifier
from signxml.algorithms import CanonicalizationMethod, SignatureConstructionMethod
from signxml.exceptions import InvalidInput

from .keys import demo_pair


@lru_cache(maxsize=4)
def _load_pair(key_file: str, cert_file: str) -> tuple[bytes, bytes]:
    return Path(key_file).read_bytes(), Path(cert_file).read_bytes()


def signing_pair() -> tuple[bytes, bytes]:
    """(private key PEM, certificate PEM) from CAP_SIGNING_KEY / CAP_SIGNING_CERT, else the demo pair."""
    if settings.CAP_SIGNING_KEY and settings.CAP_SIGNING_CERT:
        return _load_pair(settings.CAP_SIGNING_KEY, settings.CAP_SIGNING_CERT)
    key_path, cert_path = demo_pair(Path(settings.VAR_DIR))
    return _load_pair(str(key_path), str(cert_path))


def cap_sign(root: etree._Element) -> bytes:
    """Enveloped RSA-SHA256 signature over the whole <alert>, certificate in KeyInfo."""
    key, cert = signing_pair()
    signer = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm="rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed = signer.sign(root, key=key, cert=cert.decode())
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def cap_verify(xml: bytes | str) -> etree._Element:
    """Verify the signature against the certificate the message carries; return the signed <alert>.
    Raises signxml.InvalidSignature (or InvalidInput) when it does not hold."""
    data = xml.encode() if isinstance(xml, str) else xml
    root = etree.fromstring(data)
    cert = root.findtext(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate") or ""
    if not cert.strip():
        raise InvalidInput("the message carries no certificate")
    pem = "-----BEGIN CERTIFICATE-----\n" + "".join(cert.split()) + "\n-----END CERTIFICATE-----\n"
    result = XMLVerifier().verify(data, x509_cert=pem)
    # One signature reference is expected (signxml's default), hence one result with the signed XML.
    if isinstance(result, list) or result.signed_xml is None:
        raise InvalidInput("the signed content is not one XML document")
    return result.signed_xml
