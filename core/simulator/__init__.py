"""A faithful local stand-in for Amazon's authorization services, for demo mode and tests.

What it reproduces, with the shapes and limits Amazon documents (each module names its source):

* the consent page ``GET /apps/authorize/consent`` with its error pages (MD1000 for a draft app
  without ``version=beta`` or for an LWA client ID in place of the application ID, MD4100,
  MD5101, MD5110), an account switcher, Confirm and Cancel; Confirm redirects to the given (or
  first registered) redirect URI with ``spapi_oauth_code``, ``state``, ``selling_partner_id`` and,
  for hybrid apps, ``mws_auth_token``; Cancel shows a page and does not redirect;
* the LWA token endpoint ``POST /auth/o2/token``: single-use codes that expire after 5 minutes,
  ``redirect_uri`` matching, client authentication, the refresh grant, and LWA's error shapes
  (``invalid_grant``, ``invalid_client``, ``unsupported_grant_type``, ``invalid_request``);
* ``GET /sellers/v1/marketplaceParticipations`` with ``x-amz-access-token``: the documented
  payload, Amazon's 403 for a bad or an expired token, a token-bucket usage plan (0.016/s,
  burst 15) per seller-and-app pair with an optional per-app limit, and 429 ``QuotaExceeded``
  with ``x-amzn-RateLimit-Limit`` (``Retry-After`` only with ``usage_plan.send_retry_after``:
  Amazon documents none);
* with ``regional_hosts``, one Sellers API address per region, where a token works only in its
  own region (elsewhere: a 403 that says nothing of regions);
* scenarios: revoked grants, an expired client secret, slow answers, dropped connections,
  server errors, huge and trickled answers, access tokens born expired, throttled token calls,
  an app without the Sellers role; a request log.

What it does not: sign-in, MFA and region-specific Seller Central sites (the simulated person is
always signed in, and one consent page serves every marketplace); MD9010 and other MD codes;
the Appstore (Login URI) workflow; grantless (``client_credentials``) tokens; HTTPS; dynamic
usage plans. Simulator-only convenience: an app may accept any ``http://127.0.0.1`` redirect
URI (``loopback_redirects``).
"""

from core.simulator.model import (
    ACCESS_TOKEN_LIFETIME_S,
    CODE_LIFETIME_S,
    DEFAULT_BURST,
    DEFAULT_RATE,
    LoggedRequest,
    SimApp,
    SimSeller,
)
from core.simulator.server import Simulator
from core.simulator.training import (
    DEMO_APP,
    DEMO_APPLICATION_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URI,
    demo_sellers,
    demo_simulator,
    guide_text,
    serve_forever,
)

__all__ = [
    "ACCESS_TOKEN_LIFETIME_S",
    "CODE_LIFETIME_S",
    "DEFAULT_BURST",
    "DEFAULT_RATE",
    "DEMO_APP",
    "DEMO_APPLICATION_ID",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_REDIRECT_URI",
    "LoggedRequest",
    "SimApp",
    "SimSeller",
    "Simulator",
    "demo_sellers",
    "demo_simulator",
    "guide_text",
    "serve_forever",
]
