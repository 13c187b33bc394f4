"""Bearer tokens: minting (for the CLI and tests) and verification (for the API).

Pure PyJWT, no web framework: the API wraps :class:`TokenVerifier` in a dependency, the CLI's
``dataready token`` calls :func:`mint_token`.
"""

from __future__ import annotations

from dataready.auth.tokens import mint_token
from dataready.auth.verify import TokenVerifier, principal_from_claims

__all__ = ["TokenVerifier", "mint_token", "principal_from_claims"]
