ORG = ("furnisher", "member", "court", "operator", "auditor")
CALLERS = ("anonymous", "revoked", *ORG, "consumer")
EVERYONE = frozenset(CALLERS)
ANYONE = EVERYONE
STAFF = frozenset({"operator", "auditor"})
