"""How the clients read answers the simulator never gives (scripted sessions, no socket)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from core.amazon.http import (
    AccessDenied,
    AmazonError,
    AppCredentialsError,
    NeedsReauthorization,
    NetworkError,
)
from core.amazon.lwa import LwaClient
from core.amazon.sellers import SellersClient
from core.domain.marketplaces import Endpoints, Region
from core.domain.secret import Secret


class ScriptedSession(requests.Session):
    """Answers every request with one canned response, or raises one error."""

    def __init__(self, status: int = 200, body: Any = None, raw: bytes | None = None) -> None:
        super().__init__()
        self.status, self.body, self.raw = status, body, raw
        self.error: requests.RequestException | None = None
        self.urls: list[str] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        self.urls.append(str(url))
        if self.error is not None:
            raise self.error
        response = requests.Response()
        response.status_code = self.status
        response._content = self.raw if self.raw is not None else json.dumps(self.body).encode()
        response.headers["x-amzn-RequestId"] = "req-1"
        return response


def _refresh(session: ScriptedSession, endpoints: Endpoints | None = None) -> Any:
    client = LwaClient(
        endpoints or Endpoints.amazon(), "client", Secret("secret"), session, attempts=1
    )
    return client.refresh(Secret("Atzr|token"), Region.EU)


def _participations(session: ScriptedSession) -> Any:
    client = SellersClient(Endpoints.amazon(), session, attempts=1)
    return client.marketplace_participations(Secret("Atza|token"), Region.FE)


# --- LWA ---------------------------------------------------------------------------------------


def test_amazon_endpoints_are_used() -> None:
    session = ScriptedSession(body={"access_token": "Atza|a", "expires_in": "3600"})
    token = _refresh(session)
    assert session.urls == ["https://api.amazon.com/auth/o2/token"]
    assert token.expires_in == 3600
    assert token.token_type == "bearer"
    assert token.refresh_token is None


def test_regional_token_url_override() -> None:
    session = ScriptedSession(body={"access_token": "Atza|a", "expires_in": 3600})
    endpoints = Endpoints.amazon().with_token_url(
        Region.EU, "https://api.amazon.co.uk/auth/o2/token"
    )
    _refresh(session, endpoints)
    assert session.urls == ["https://api.amazon.co.uk/auth/o2/token"]


@pytest.mark.parametrize(
    "body",
    [["not", "an", "object"], {"token_type": "bearer"}, {"access_token": "x", "expires_in": "1h"}],
)
def test_success_without_a_usable_token_is_unreadable(body: Any) -> None:
    with pytest.raises(AmazonError) as caught:
        _refresh(ScriptedSession(200, body))
    assert "could not read" in caught.value.message
    assert caught.value.request_id == "req-1"


def test_expired_secret_wording_is_told_apart() -> None:
    body = {"error": "invalid_client", "error_description": "The client secret has expired."}
    with pytest.raises(AppCredentialsError) as caught:
        _refresh(ScriptedSession(401, body))
    assert "expired" in caught.value.message
    assert "180 days" in caught.value.message


def test_request_id_from_the_body_when_no_header() -> None:
    class NoHeader(ScriptedSession):
        def request(self, *args: Any, **kwargs: Any) -> Any:
            response = super().request(*args, **kwargs)
            del response.headers["x-amzn-RequestId"]
            return response

    body = {"error": "invalid_grant", "error_description": "...", "request_id": "body-id"}
    with pytest.raises(NeedsReauthorization) as caught:
        _refresh(NoHeader(400, body))
    assert caught.value.request_id == "body-id"


def test_network_failure_is_not_chained() -> None:
    session = ScriptedSession()
    session.error = requests.ConnectionError("https://api.amazon.com/?code=ABC")
    with pytest.raises(NetworkError) as caught:
        _refresh(session)
    assert caught.value.__context__ is None
    assert caught.value.__cause__ is None


# --- Sellers -----------------------------------------------------------------------------------


def test_fe_host_and_missing_optional_fields() -> None:
    body = {"payload": [{"marketplace": {"id": "A1VC38T7YXB528"}, "participation": {}}]}
    session = ScriptedSession(200, body)
    result = _participations(session)
    assert session.urls == [
        "https://sellingpartnerapi-fe.amazon.com/sellers/v1/marketplaceParticipations"
    ]
    assert result.items[0].store_name == ""
    assert not result.items[0].is_participating
    assert result.marketplace_ids == frozenset()  # not participating: not covered
    assert result.store_name == ""


@pytest.mark.parametrize(
    "body",
    [{"payload": "nope"}, {"payload": [{"marketplace": {}}]}, {"payload": [3]}, ["x"]],
)
def test_malformed_payload_is_unreadable(body: Any) -> None:
    with pytest.raises(AmazonError) as caught:
        _participations(ScriptedSession(200, body))
    assert "could not read" in caught.value.message


def _errors(code: str, message: str, details: str = "") -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "details": details}]}


def test_secret_expiry_on_sp_api_is_an_app_problem() -> None:
    body = _errors("Unauthorized", "The LWA secret token you provided has expired.")
    with pytest.raises(AppCredentialsError):
        _participations(ScriptedSession(403, body))


def test_expired_security_token_needs_reauthorization() -> None:
    body = _errors("Unauthorized", "The security token included in the request is expired")
    with pytest.raises(NeedsReauthorization):
        _participations(ScriptedSession(403, body))


def test_plain_denial_is_access_denied() -> None:
    body = _errors("Unauthorized", "Access to requested resource is denied.")
    with pytest.raises(AccessDenied) as caught:
        _participations(ScriptedSession(403, body))
    assert caught.value.request_id == "req-1"


def test_other_client_errors_are_a_fault_in_sp_connect() -> None:
    with pytest.raises(AmazonError) as caught:
        _participations(ScriptedSession(400, _errors("InvalidInput", "Bad")))
    assert type(caught.value) is AmazonError
    assert caught.value.code == "InvalidInput"


def test_html_error_page_is_unreadable() -> None:
    with pytest.raises(AmazonError) as caught:
        _participations(ScriptedSession(404, raw=b"<html>gone</html>"))
    assert "could not read" in caught.value.message
