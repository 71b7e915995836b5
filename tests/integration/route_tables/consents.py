_MEMBER = frozenset({"member"})
_CONSUMER = frozenset({"consumer"})

CONSENTS: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/member/consents"): _MEMBER,
    ("POST", "/v1/furnisher/consents"): frozenset({"furnisher"}),
    ("POST", "/v1/me/consents"): _CONSUMER,
    ("GET", "/v1/me/consents"): _CONSUMER,
    ("DELETE", "/v1/me/consents/{consent_ref}"): _CONSUMER,
    ("GET", "/me/consents"): _CONSUMER,
    ("POST", "/me/consents"): _CONSUMER,
    ("POST", "/me/consents/{consent_ref}/revoke"): _CONSUMER,
}
