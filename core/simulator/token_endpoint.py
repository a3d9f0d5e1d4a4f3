"""Login with Amazon's token endpoint: ``POST /auth/o2/token``.

Amazon's archived SP-API developer guide describes it in "Connecting to the Selling Partner
API", Step 1, and "Website authorization workflow", Step 4:
https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md

Success: ``{"access_token": "Atza|...", "token_type": "bearer", "expires_in": 3600,
"refresh_token": "Atzr|..."}`` (the refresh grant echoes the refresh token it was given).
Errors use LWA's shape ``{"error", "error_description"}`` with Amazon's statuses: 400
``invalid_grant`` (code expired, used, of another app or for another redirect URI; refresh token
revoked or unknown), 401 ``invalid_client`` (wrong or expired client secret), 400
``unsupported_grant_type``, 400 ``invalid_request`` (a field missing). The ``invalid_grant`` and
``invalid_client`` descriptions are the texts developers report from Amazon, for example in
https://github.com/amzn/selling-partner-api-docs/issues/268 and
https://github.com/amzn/selling-partner-api-docs/issues/2379; the others are UNVERIFIED.
"""

from __future__ import annotations

from core.simulator.model import ACCESS_TOKEN_LIFETIME_S
from core.simulator.state import SimulatedAmazon
from core.simulator.wire import Request, Response, json_response, request_id

TOKEN_PATH = "/auth/o2/token"  # noqa: S105 - a path, not a password

INVALID_CODE = "The request has an invalid grant parameter : code"
INVALID_REFRESH = (
    "The request has an invalid grant parameter : refresh_token. "
    "User may have revoked or didn't grant the permission."
)
CLIENT_AUTH_FAILED = "Client authentication failed"
# UNVERIFIED: LWA's exact wording for these.
UNSUPPORTED_GRANT = "The authorization grant type is not supported by the authorization server"
MISSING_PARAMETER = "The request is missing a required parameter : {name}"
THROTTLED = "The request was throttled. Retry later."

_NO_CACHE = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))
_GRANTS = ("authorization_code", "refresh_token")


def error(status: int, code: str, description: str, *extra: tuple[str, str]) -> Response:
    rid = request_id()
    body = {"error_description": description, "error": code, "request_id": rid}
    return json_response(status, body, (("x-amzn-RequestId", rid), *_NO_CACHE, *extra))


def _tokens(access_token: str, refresh_token: str) -> Response:
    body = {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "bearer",
        "expires_in": ACCESS_TOKEN_LIFETIME_S,
    }
    return json_response(200, body, (("x-amzn-RequestId", request_id()), *_NO_CACHE))


def token(amazon: SimulatedAmazon, request: Request) -> Response:
    """``POST /auth/o2/token``: the ``authorization_code`` and ``refresh_token`` grants."""
    throttle = amazon.faults.take_token_throttle()
    if throttle is not None:
        # LWA's 429 body is UNVERIFIED; SP Connect relies only on the status and Retry-After.
        return error(429, "TooManyRequests", THROTTLED, ("Retry-After", f"{throttle:g}"))
    form = request.form()
    grant_type = form.get("grant_type", "")
    if not grant_type:
        return error(400, "invalid_request", MISSING_PARAMETER.format(name="grant_type"))
    if grant_type not in _GRANTS:
        # client_credentials (grantless) is an Amazon grant the simulator does not implement.
        return error(400, "unsupported_grant_type", UNSUPPORTED_GRANT)
    for name in ("client_id", "client_secret"):
        if not form.get(name):
            return error(400, "invalid_request", MISSING_PARAMETER.format(name=name))
    app = amazon.client_ok(form["client_id"], form["client_secret"])
    if app is None:
        return error(401, "invalid_client", CLIENT_AUTH_FAILED)

    if grant_type == "authorization_code":
        code = form.get("code", "")
        if not code:
            return error(400, "invalid_request", MISSING_PARAMETER.format(name="code"))
        tokens = amazon.redeem_code(app, code, form.get("redirect_uri"))
        if tokens is None:
            return error(400, "invalid_grant", INVALID_CODE)
        return _tokens(tokens.access_token, tokens.refresh_token)

    refresh_token = form.get("refresh_token", "")
    if not refresh_token:
        return error(400, "invalid_request", MISSING_PARAMETER.format(name="refresh_token"))
    access = amazon.refresh(app, refresh_token)
    if access is None:
        return error(400, "invalid_grant", INVALID_REFRESH)
    return _tokens(access, refresh_token)
