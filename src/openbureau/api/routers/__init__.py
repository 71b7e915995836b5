"""One thin router per feature: parse, call one service, map the answer."""

from fastapi import APIRouter

from openbureau.api.routers import (
    admin,
    consents,
    consumer,
    furnisher,
    identity,
    me,
    member,
    protections,
    registry,
    rights,
    scoring,
)

ROUTERS: list[APIRouter] = [consumer.router, furnisher.router, member.router, me.router,
                            admin.router, scoring.router, rights.router, registry.router,
                            consents.router, identity.router, protections.router]
