"""CAP 1.2 messages with the IPAWS profile elements, signed with an enveloped XML signature.

Each `Message` becomes one CAP `<alert>`, built from the message's frozen snapshot (through
`public_view`, so nothing internal can reach it), signed, and stored in `Message.cap_xml` exactly
once. The parts, each in its own module:

- `wording`: what the message says (headline, description, instruction, the WEA texts, the area)
  and the public URLs it links; the WEA texts a coordinator approved are carried verbatim, and
  `carry_problems` is the check the approval services run so that a text the CAP cannot carry is
  refused at approval, never stripped or clipped;
- `storage`: the photo bytes a message's resources describe;
- `build`: the XML;
- `keys`: the self-signed demo key pair used when no signing key is configured;
- `signing`: signing and verifying;
- `message`: build, sign and store a message's XML once.
"""

from .build import CAP_CONTENT_TYPE, CAP_NS, cap_build
from .message import message_cap_xml
from .signing import cap_sign, cap_verify, signing_pair
from .storage import photo_bytes
from .wording import carry_problems

__all__ = [
    "CAP_CONTENT_TYPE",
    "CAP_NS",
    "cap_build",
    "cap_sign",
    "cap_verify",
    "carry_problems",
    "message_cap_xml",
    "photo_bytes",
    "signing_pair",
]
