"""A unit's inbox: the alerts addressed to its offices and the requests addressed to it."""

from __future__ import annotations

from datetime import date

from corridor.accounts import service as accounts_service
from corridor.config import customs_day
from corridor.db.uow import UnitOfWork
from corridor.postentry import repository
from corridor.postentry.schemas import InboxAlert, InboxRead, ProfileRequestRead
from corridor.postentry.service._common import MAX_LIST
from corridor.postentry.service.alerts import addressed, alert_read


def inbox(
    *, uow: UnitOfWork, unit: str, settled: bool = False, on: date | None = None
) -> InboxRead:
    """A unit's inbox: the alerts addressed to its offices (active and not past; with
    ``settled`` also the withdrawn and expired ones), each with the unit's
    acknowledgement, and the requests addressed to the unit (with ``settled`` also
    those done or rejected)."""
    on = on or customs_day(uow.now)
    offices = accounts_service.offices_under(uow=uow, unit_code=unit)
    rows = [
        row
        for row in repository.alerts(uow.session, active_on=None if settled else on)
        if addressed(row, offices)
    ]
    acknowledged = repository.receipts(uow.session, unit, [row.id for row in rows])
    alerts = []
    for row in rows:
        receipt = acknowledged.get(row.id)
        alerts.append(
            InboxAlert(
                **alert_read(row, on).model_dump(),
                acknowledged_by=None if receipt is None else receipt.acknowledged_by,
                acknowledged_at=None if receipt is None else receipt.acknowledged_at,
            )
        )
    requests = [
        ProfileRequestRead.model_validate(row, from_attributes=True)
        for row in repository.requests(uow.session, unit=unit, settled=settled, limit=MAX_LIST)
    ]
    return InboxRead(
        unit=unit,
        alerts=alerts,
        requests=requests,
        unacknowledged=sum(
            1 for alert in alerts if alert.acknowledged_by is None and alert.status == "active"
        ),
        open_requests=sum(1 for request in requests if request.status == "open"),
    )
