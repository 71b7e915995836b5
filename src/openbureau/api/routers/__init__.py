"""One thin router per feature: parse, call one service, map the answer."""

from fastapi import APIRouter

from openbureau.api.routers import admin, consumer, furnisher, me, member

ROUTERS: list[APIRouter] = [consumer.router, furnisher.router, member.router, me.router,
                            admin.router]
