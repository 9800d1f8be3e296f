"""SQL repositories and the unit of work of the notice service."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.engine import Connection

from hubkit.db import DeferredWrites, DriverStatement
from hubkit.uow import SqlUnitOfWork
from notice.adapters.event_mapping import to_envelope
from notice.adapters.finding_repository import SqlFindingRepository
from notice.adapters.incident_repository import SqlIncidentRepository, SqlIncidentRouteRepository
from notice.adapters.tables import (INBOX_ORDER, audit_log, group_members, groups, join_requests, learning_shares,
                                    notice_recipients, notice_targets, notice_versions, notices, receipts,
                                    reminder_stages)
from notice.domain.audit import AuditEntry, EntityKind
from notice.domain.events import Person
from notice.domain.groups import Group, JoinKind, JoinRequest, JoinStatus, Member, PostingRule, Role
from notice.domain.kinds import Category, Priority, ShareKind, Status
from notice.domain.model import Notice, NoticeSummary, NoticeVersion, RecipientStanding
from notice.domain.receipts import InboxPosition, Receipt, Standing
from notice.domain.reminders import OVERDUE
from notice.domain.shares import Share
from notice.ports import (AuditLog, GroupRepository, JoinRequestRepository, NoticeRepository, NoticeUnitOfWork,
                          ReceiptRepository, ReminderLog, ShareRepository)


def _aware(value):
    # SQLite hands back naive datetimes; everything stored is UTC.
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


# Statements built once (see hubkit.uow): building one per call costs more
# Python time than the database takes to run it.
_NOTICE_KEYS = ("notice_id", "title", "body", "author_id", "published_at", "category", "priority", "pinned",
                "requires_ack", "ack_deadline", "status", "version", "updated_at", "author_department",
                "attachment_document_ids", "recipient_count")
_INSERT_NOTICE = DriverStatement(notices.insert(), columns=_NOTICE_KEYS)
_INSERT_TARGET = DriverStatement(notice_targets.insert(), columns=("notice_id", "group_id", "position"))
_INSERT_RECIPIENT = DriverStatement(notice_recipients.insert(), columns=("notice_id", "user_id", "position"))
_SELECT_GROUP_IDS = sa.select(groups.c.group_id).where(groups.c.group_id.in_(sa.bindparam("ids", expanding=True)))
_GROUP_MEMBER_COUNT = (sa.select(sa.func.count()).where(group_members.c.group_id == groups.c.group_id)
                       .scalar_subquery().label("member_count"))
_SELECT_GROUP = sa.select(groups, _GROUP_MEMBER_COUNT).where(groups.c.group_id == sa.bindparam("b_group_id"))
# A publication's targets and the publisher's role in each: one read, and no
# member count (a count of a 10,000-member group reads 10,000 index entries).
_POSTING_TARGETS = DriverStatement(
    sa.select(groups.c.group_id, groups.c.name, groups.c.department, groups.c.created_by, groups.c.created_at,
              groups.c.archived_at, groups.c.notice_posting, groups.c.share_posting, group_members.c.role)
    .select_from(groups.outerjoin(group_members, sa.and_(group_members.c.group_id == groups.c.group_id,
                                                         group_members.c.user_id == sa.bindparam("b_user_id"))))
    .where(groups.c.group_id.in_(sa.bindparam("b_group_ids", expanding=True))))
_SELECT_MEMBER = sa.select(group_members).where(group_members.c.group_id == sa.bindparam("b_group_id"),
                                                group_members.c.user_id == sa.bindparam("b_user_id"))
_ROLES_OF = sa.select(group_members.c.group_id, group_members.c.role).where(
    group_members.c.user_id == sa.bindparam("b_user_id"),
    group_members.c.group_id.in_(sa.bindparam("b_group_ids", expanding=True)))
_MEMBERS_AMONG = sa.select(group_members.c.user_id).where(
    group_members.c.group_id == sa.bindparam("b_group_id"),
    group_members.c.user_id.in_(sa.bindparam("b_user_ids", expanding=True)))
_DEPARTMENTS_OF = (
    sa.select(group_members.c.user_id, sa.func.max(group_members.c.department).label("department"))
    .where(group_members.c.user_id.in_(sa.bindparam("b_user_ids", expanding=True)))
    .group_by(group_members.c.user_id))


class SqlGroupRepository(GroupRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    def add(self, group: Group) -> None:
        self.connection.execute(groups.insert().values(
            group_id=group.group_id, name=group.name, department=group.department, created_by=group.created_by,
            created_at=group.created_at, archived_at=group.archived_at,
            notice_posting=group.notice_posting.value, share_posting=group.share_posting.value))

    @staticmethod
    def _group(row) -> Group:
        return Group(row.group_id, row.name, row.department, row.created_by, _aware(row.created_at),
                     _aware(row.archived_at), PostingRule(row.notice_posting), PostingRule(row.share_posting),
                     row.member_count)

    def get(self, group_id: str) -> Group | None:
        row = self.connection.execute(_SELECT_GROUP, {"b_group_id": group_id}).first()
        return None if row is None else self._group(row)

    def posting_targets(self, user_id: str, group_ids: tuple[str, ...]) -> tuple[dict[str, Group], dict[str, Role]]:
        found: dict[str, Group] = {}
        roles: dict[str, Role] = {}
        if not group_ids:  # a notice to named people only
            return found, roles
        for (group_id, name, department, created_by, created_at, archived_at, notice_posting, share_posting,
             role) in _POSTING_TARGETS.execute(self.connection, {"b_user_id": user_id, "b_group_ids": list(group_ids)}):
            found[group_id] = Group(group_id, name, department, created_by, _aware(created_at), _aware(archived_at),
                                    PostingRule(notice_posting), PostingRule(share_posting))
            if role is not None:
                roles[group_id] = Role(role)
        return found, roles

    def save(self, group: Group) -> None:
        self.connection.execute(groups.update().where(groups.c.group_id == group.group_id).values(
            name=group.name, archived_at=group.archived_at, notice_posting=group.notice_posting.value,
            share_posting=group.share_posting.value))

    def existing_ids(self, group_ids: tuple[str, ...]) -> set[str]:
        return set(self.connection.execute(_SELECT_GROUP_IDS, {"ids": list(group_ids)}).scalars())

    def add_members(self, group_id: str, members: list[Member]) -> None:
        if members:
            self.connection.execute(group_members.insert(), [
                {"group_id": group_id, "user_id": m.user_id, "department": m.department, "role": m.role.value,
                 "joined_at": m.joined_at, "synced": m.synced} for m in members])

    @staticmethod
    def _member(row) -> Member:
        return Member(row.user_id, row.department, Role(row.role), _aware(row.joined_at), bool(row.synced))

    def member(self, group_id: str, user_id: str) -> Member | None:
        row = self.connection.execute(_SELECT_MEMBER, {"b_group_id": group_id, "b_user_id": user_id}).first()
        return None if row is None else self._member(row)

    def members(self, group_id: str) -> list[Member]:
        rows = self.connection.execute(sa.select(group_members).where(group_members.c.group_id == group_id)
                                       .order_by(group_members.c.user_id))
        return [self._member(row) for row in rows]

    def members_among(self, group_id: str, user_ids: list[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(dict.fromkeys(user_ids))):
            found.update(self.connection.execute(_MEMBERS_AMONG, {"b_group_id": group_id, "b_user_ids": chunk})
                         .scalars())
        return found

    def member_page(self, group_id: str, *, after: tuple[str] | None, limit: int, department: str = "",
                    role: Role | None = None) -> list[Member]:
        # Keyset on the primary key (group_id, user_id): the index serves
        # every page, however deep.
        query = sa.select(group_members).where(group_members.c.group_id == group_id)
        if after is not None:
            query = query.where(group_members.c.user_id > after[0])
        if department:
            query = query.where(group_members.c.department == department)
        if role is not None:
            query = query.where(group_members.c.role == role.value)
        rows = self.connection.execute(query.order_by(group_members.c.user_id).limit(limit))
        return [self._member(row) for row in rows]

    def roles_of(self, user_id: str, group_ids: tuple[str, ...]) -> dict[str, Role]:
        rows = self.connection.execute(_ROLES_OF, {"b_user_id": user_id, "b_group_ids": list(group_ids)})
        return {row.group_id: Role(row.role) for row in rows}

    def departments_of(self, user_ids: tuple[str, ...]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(list(user_ids)):
            rows = self.connection.execute(_DEPARTMENTS_OF, {"b_user_ids": chunk})
            found.update({row.user_id: row.department for row in rows})
        return found

    def managers_of(self, group_ids: tuple[str, ...]) -> list[str]:
        rows = self.connection.execute(sa.select(group_members.c.user_id).distinct().where(
            group_members.c.group_id.in_(group_ids), group_members.c.role.in_([Role.OWNER.value, Role.ADMIN.value])))
        return sorted(row.user_id for row in rows)

    def owner_count(self, group_id: str) -> int:
        return self.connection.execute(sa.select(sa.func.count()).where(
            group_members.c.group_id == group_id, group_members.c.role == Role.OWNER.value)).scalar_one()

    def update_members(self, group_id: str, members: list[Member]) -> None:
        if members:
            self.connection.execute(
                group_members.update().where(group_members.c.group_id == sa.bindparam("g"),
                                             group_members.c.user_id == sa.bindparam("u"))
                .values(department=sa.bindparam("d"), role=sa.bindparam("r")),
                [{"g": group_id, "u": m.user_id, "d": m.department, "r": m.role.value} for m in members])

    def remove_members(self, group_id: str, user_ids: list[str]) -> None:
        for chunk in _chunks(user_ids):
            self.connection.execute(group_members.delete().where(
                group_members.c.group_id == group_id, group_members.c.user_id.in_(chunk)))


class SqlJoinRequestRepository(JoinRequestRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    @staticmethod
    def _values(r: JoinRequest) -> dict:
        return {"request_id": r.request_id, "group_id": r.group_id, "user_id": r.user_id,
                "department": r.department, "kind": r.kind.value, "role": r.role.value, "status": r.status.value,
                "created_by": r.created_by, "created_at": r.created_at, "decided_by": r.decided_by or None,
                "decided_at": r.decided_at}

    @staticmethod
    def _request(row) -> JoinRequest:
        return JoinRequest(row.request_id, row.group_id, row.user_id, row.department, JoinKind(row.kind),
                           Role(row.role), row.created_by, _aware(row.created_at), JoinStatus(row.status),
                           row.decided_by or "", _aware(row.decided_at))

    def add(self, request: JoinRequest) -> None:
        self.connection.execute(join_requests.insert().values(**self._values(request)))

    def get(self, request_id: str) -> JoinRequest | None:
        row = self.connection.execute(sa.select(join_requests).where(join_requests.c.request_id == request_id)).first()
        return None if row is None else self._request(row)

    def pending(self, group_id: str, user_id: str) -> JoinRequest | None:
        row = self.connection.execute(sa.select(join_requests).where(
            join_requests.c.group_id == group_id, join_requests.c.user_id == user_id,
            join_requests.c.status == JoinStatus.PENDING.value)).first()
        return None if row is None else self._request(row)

    def save(self, request: JoinRequest) -> None:
        values = self._values(request)
        self.connection.execute(join_requests.update().where(
            join_requests.c.request_id == request.request_id).values(
            status=values["status"], decided_by=values["decided_by"], decided_at=values["decided_at"]))

    def of_group(self, group_id: str, *, pending_only: bool, after: tuple[datetime, str] | None,
                 limit: int) -> list[JoinRequest]:
        query = sa.select(join_requests).where(join_requests.c.group_id == group_id)
        if pending_only:
            query = query.where(join_requests.c.status == JoinStatus.PENDING.value)
        if after is not None:
            created_at, request_id = after
            query = query.where(sa.or_(join_requests.c.created_at > created_at,
                                       sa.and_(join_requests.c.created_at == created_at,
                                               join_requests.c.request_id > request_id)))
        rows = self.connection.execute(query.order_by(join_requests.c.created_at, join_requests.c.request_id)
                                       .limit(limit))
        return [self._request(row) for row in rows]


_SELECT_NOTICE = sa.select(notices).where(notices.c.notice_id == sa.bindparam("b_notice_id"))
_SELECT_NOTICE_FOR_UPDATE = _SELECT_NOTICE.with_for_update(of=notices)
_SELECT_TARGETS = (sa.select(notice_targets)
                   .where(notice_targets.c.notice_id.in_(sa.bindparam("b_notice_ids", expanding=True)))
                   .order_by(notice_targets.c.notice_id, notice_targets.c.position))
_SELECT_RECIPIENTS = (sa.select(notice_recipients)
                      .where(notice_recipients.c.notice_id.in_(sa.bindparam("b_notice_ids", expanding=True)))
                      .order_by(notice_recipients.c.notice_id, notice_recipients.c.position))
# SET columns come from the keys of the parameters (as in _INSERT_NOTICE);
# the WHERE parameter is named apart from every column.
_UPDATE_NOTICE = notices.update().where(notices.c.notice_id == sa.bindparam("b_notice_id"))
# The notice's inbox keys on its receipts follow its edits and revocation;
# rows already in step (all of them right after delivery) are left alone.
_FOLLOW_NOTICE = (
    receipts.update()
    .where(receipts.c.notice_id == sa.bindparam("b_notice_id"),
           sa.or_(receipts.c.notice_status != sa.bindparam("b_status"),
                  receipts.c.notice_pinned != sa.bindparam("b_pinned"),
                  receipts.c.notice_category != sa.bindparam("b_category"),
                  receipts.c.notice_priority != sa.bindparam("b_priority")))
    .values(notice_status=sa.bindparam("b_status"), notice_pinned=sa.bindparam("b_pinned"),
            notice_category=sa.bindparam("b_category"), notice_priority=sa.bindparam("b_priority")))
_SAVE_DELIVERY = DriverStatement(notices.update().where(notices.c.notice_id == sa.bindparam("n")).values(
    status=sa.bindparam("status"), recipient_count=sa.bindparam("recipient_count"),
    next_reminder_at=sa.bindparam("next_reminder_at", type_=sa.DateTime(timezone=True))))
_INSERT_VERSION = DriverStatement(notice_versions.insert(), columns=(
    "notice_id", "version", "title", "body", "category", "priority", "editor_id", "edited_at", "changed_fields"))


def _notice(row, group_ids: tuple[str, ...], recipient_user_ids: tuple[str, ...]) -> Notice:
    return Notice(
        row.notice_id, group_ids, row.title, row.body, row.author_id, _aware(row.published_at),
        category=Category(row.category), priority=Priority(row.priority), recipient_user_ids=recipient_user_ids,
        attachment_document_ids=tuple(json.loads(row.attachment_document_ids)), pinned=bool(row.pinned),
        requires_ack=bool(row.requires_ack), ack_deadline=_aware(row.ack_deadline), status=Status(row.status),
        version=row.version, updated_at=_aware(row.updated_at), author_department=row.author_department,
        revoke_reason=row.revoke_reason, revoked_by=row.revoked_by or "", revoked_at=_aware(row.revoked_at),
        recipient_count=row.recipient_count)


class SqlNoticeRepository(NoticeRepository):
    def __init__(self, connection: Connection, deferred: DeferredWrites):
        """Targets, named recipients and versions, which nothing reads back
        in the transaction that adds them, are written with its commit."""
        self.connection = connection
        self.deferred = deferred

    def add(self, notice: Notice) -> None:
        _INSERT_NOTICE.execute(self.connection, dict(
            notice_id=notice.notice_id, title=notice.title, body=notice.body, author_id=notice.author_id,
            published_at=notice.published_at, category=notice.category.value, priority=notice.priority.value,
            pinned=notice.pinned, requires_ack=notice.requires_ack, ack_deadline=notice.ack_deadline,
            status=notice.status.value, version=notice.version, updated_at=notice.updated_at,
            author_department=notice.author_department,
            attachment_document_ids=json.dumps(list(notice.attachment_document_ids)),
            recipient_count=notice.recipient_count))
        for position, group_id in enumerate(notice.group_ids):
            self.deferred.add(_INSERT_TARGET, {"notice_id": notice.notice_id, "group_id": group_id,
                                               "position": position})
        for position, user_id in enumerate(notice.recipient_user_ids):
            self.deferred.add(_INSERT_RECIPIENT, {"notice_id": notice.notice_id, "user_id": user_id,
                                                  "position": position})
        self.add_version(notice.notice_id, notice.first_version())

    def _targets(self, notice_ids: list[str]) -> tuple[dict[str, tuple], dict[str, tuple]]:
        group_ids: dict[str, list] = {n: [] for n in notice_ids}
        named: dict[str, list] = {n: [] for n in notice_ids}
        for row in self.connection.execute(_SELECT_TARGETS, {"b_notice_ids": notice_ids}):
            group_ids[row.notice_id].append(row.group_id)
        for row in self.connection.execute(_SELECT_RECIPIENTS, {"b_notice_ids": notice_ids}):
            named[row.notice_id].append(row.user_id)
        return ({n: tuple(v) for n, v in group_ids.items()}, {n: tuple(v) for n, v in named.items()})

    def many(self, rows) -> list[Notice]:
        rows = list(rows)
        group_ids, named = self._targets([row.notice_id for row in rows])
        return [_notice(row, group_ids[row.notice_id], named[row.notice_id]) for row in rows]

    def get(self, notice_id: str, *, for_update: bool = False) -> Notice | None:
        # FOR UPDATE on PostgreSQL; SQLite's writers are one at a time anyway.
        query = _SELECT_NOTICE_FOR_UPDATE if for_update else _SELECT_NOTICE
        found = self.many(self.connection.execute(query, {"b_notice_id": notice_id}))
        return found[0] if found else None

    def save(self, notice: Notice) -> None:
        self.connection.execute(_UPDATE_NOTICE, dict(
            b_notice_id=notice.notice_id,
            title=notice.title, body=notice.body, category=notice.category.value, priority=notice.priority.value,
            pinned=notice.pinned, status=notice.status.value, version=notice.version, updated_at=notice.updated_at,
            recipient_count=notice.recipient_count, revoke_reason=notice.revoke_reason,
            revoked_by=notice.revoked_by or None, revoked_at=notice.revoked_at))
        self.connection.execute(_FOLLOW_NOTICE, dict(
            b_notice_id=notice.notice_id, b_status=notice.status.value, b_pinned=notice.pinned,
            b_category=notice.category.value, b_priority=notice.priority.value))

    def save_delivery(self, notice: Notice) -> None:
        # Receipts were just written with the notice's inbox keys: nothing to follow.
        # A notice with an acknowledgement deadline is due for the reminder
        # sweep from its publication: the sweep, which knows the schedule,
        # plans it then.
        self.deferred.add(_SAVE_DELIVERY, {"n": notice.notice_id, "status": notice.status.value,
                                           "recipient_count": notice.recipient_count,
                                           "next_reminder_at": notice.published_at if notice.ack_deadline else None})

    def add_version(self, notice_id: str, version: NoticeVersion) -> None:
        self.deferred.add(_INSERT_VERSION, dict(
            notice_id=notice_id, version=version.version, title=version.title, body=version.body,
            category=version.category.value, priority=version.priority.value, editor_id=version.editor_id,
            edited_at=version.edited_at, changed_fields=json.dumps(list(version.changed_fields))))

    def versions(self, notice_id: str) -> list[NoticeVersion]:
        rows = self.connection.execute(sa.select(notice_versions).where(notice_versions.c.notice_id == notice_id)
                                       .order_by(notice_versions.c.version))
        return [NoticeVersion(r.version, r.title, r.body, Category(r.category), Priority(r.priority), r.editor_id,
                              _aware(r.edited_at), tuple(json.loads(r.changed_fields))) for r in rows]

    def due_for_publication(self, now: datetime, limit: int) -> list[str]:
        return list(self.connection.execute(
            sa.select(notices.c.notice_id).where(notices.c.status == Status.SCHEDULED.value,
                                                 notices.c.published_at <= now)
            .order_by(notices.c.published_at).limit(limit)).scalars())

    def due_for_reminders(self, now: datetime, limit: int) -> list[str]:
        return list(self.connection.execute(
            sa.select(notices.c.notice_id).where(notices.c.next_reminder_at <= now)
            .order_by(notices.c.next_reminder_at).limit(limit)).scalars())

    def set_next_reminder(self, notice_id: str, at: datetime | None) -> None:
        self.connection.execute(notices.update().where(notices.c.notice_id == notice_id).values(next_reminder_at=at))

    def make_awaiting_due(self, now: datetime) -> int:
        escalated = sa.select(reminder_stages.c.notice_id).where(
            reminder_stages.c.notice_id == notices.c.notice_id, reminder_stages.c.stage == OVERDUE).exists()
        return self.connection.execute(
            notices.update().where(notices.c.status == Status.PUBLISHED.value, notices.c.ack_deadline.is_not(None),
                                   ~escalated, sa.or_(notices.c.next_reminder_at.is_(None),
                                                      notices.c.next_reminder_at > now))
            .values(next_reminder_at=now)).rowcount


def _receipt(row) -> Receipt:
    return Receipt(row.notice_id, row.user_id, row.department, _aware(row.delivered_at), _aware(row.read_at),
                   _aware(row.acknowledged_at), row.ack_comment)


class _SpaceSeparated(sa.sql.functions.GenericFunction):
    """The strings of a column joined by spaces, in the order of the rows."""
    type = sa.String()
    inherit_cache = True


@compiles(_SpaceSeparated, "sqlite")
def _space_separated_sqlite(element, compiler, **kw):
    return f"group_concat({compiler.process(element.clauses, **kw)}, ' ')"


@compiles(_SpaceSeparated, "postgresql")
def _space_separated_postgresql(element, compiler, **kw):
    return f"string_agg({compiler.process(element.clauses, **kw)}, ' ')"


# Statements of the hot acknowledgement path, built once: building a
# statement costs more Python time than running it. What receipt.acknowledged
# carries of its notice is read with the receipt: one statement, one round
# trip to PostgreSQL. The deadline and target groups never change once a
# notice exists, nor do a receipt's department and publication time.
_TARGET_GROUPS = (sa.select(notice_targets.c.group_id).where(notice_targets.c.notice_id == sa.bindparam("n"))
                  .order_by(notice_targets.c.position).subquery())
_FOR_ACKNOWLEDGEMENT = DriverStatement(
    sa.select(receipts.c.department, receipts.c.acknowledged_at, receipts.c.notice_status,
              receipts.c.notice_published_at,
              sa.select(notices.c.ack_deadline).where(notices.c.notice_id == sa.bindparam("n")).scalar_subquery(),
              # group ids are generated hex (new_id): a space separates them safely
              sa.select(_SpaceSeparated(_TARGET_GROUPS.c.group_id)).scalar_subquery())
    .where(receipts.c.notice_id == sa.bindparam("n"), receipts.c.user_id == sa.bindparam("u")))
# The guard of an acknowledgement (DeferredWrites.guard): only a first one, of
# a published notice, matches. Status from the receipt's own copy: a
# revocation that commits while this UPDATE waits for the receipt's row lock
# has changed it, and PostgreSQL checks the row as updated after the wait.
_ACKNOWLEDGE_FIRST = DriverStatement(
    receipts.update()
    .where(receipts.c.notice_id == sa.bindparam("n"), receipts.c.user_id == sa.bindparam("u"),
           receipts.c.acknowledged_at.is_(None), receipts.c.notice_status == sa.bindparam("published"))
    .values(acknowledged_at=sa.bindparam("ack_at"), ack_comment=sa.bindparam("comment"),
            read_at=sa.func.coalesce(receipts.c.read_at, sa.bindparam("ack_at"))))
_AUDIT_INSERT = DriverStatement(audit_log.insert(), columns=(
    "entity_kind", "entity_id", "action", "actor_id", "at", "detail"))
_SELECT_RECEIPT = sa.select(receipts).where(receipts.c.notice_id == sa.bindparam("b_notice_id"),
                                            receipts.c.user_id == sa.bindparam("b_user_id"))
_MARK_READ = (receipts.update()
              .where(receipts.c.notice_id == sa.bindparam("b_notice_id"),
                     receipts.c.user_id == sa.bindparam("b_user_id"), receipts.c.read_at.is_(None))
              .returning(*receipts.c))
# Two flags instead of two timestamps and the comment: what statistics count,
# without parsing a notice's thousands of timestamps.
_STANDINGS = sa.select(receipts.c.user_id, receipts.c.department, receipts.c.read_at.is_not(None),
                       receipts.c.acknowledged_at.is_not(None)).where(
    receipts.c.notice_id == sa.bindparam("b_notice_id"))


def _delivery(by_group: bool, by_name: bool):
    """INSERT ... SELECT of a notice's receipts from the members table: one
    statement whatever the number of recipients; a member of several target
    groups counts once. By the notice's groups, by its named recipients, by
    both or (neither) by nobody."""
    reached = sa.false()
    if by_group:
        reached = sa.or_(reached, group_members.c.group_id.in_(sa.bindparam("b_group_ids", expanding=True)))
    if by_name:
        reached = sa.or_(reached, group_members.c.user_id.in_(sa.bindparam("b_user_ids", expanding=True)))
    recipients = (
        sa.select(sa.bindparam("b_notice_id", type_=sa.String), group_members.c.user_id,
                  sa.func.max(group_members.c.department), sa.bindparam("b_now", type_=sa.DateTime(timezone=True)),
                  # The notice's inbox keys; delivery is publication.
                  sa.bindparam("b_status", type_=sa.String), sa.bindparam("b_pinned", type_=sa.Boolean),
                  sa.bindparam("b_published_at", type_=sa.DateTime(timezone=True)),
                  sa.bindparam("b_category", type_=sa.String), sa.bindparam("b_priority", type_=sa.String))
        .where(reached, group_members.c.user_id != sa.bindparam("b_author_id"))
        .group_by(group_members.c.user_id))
    return receipts.insert().from_select(
        ["notice_id", "user_id", "department", "delivered_at", "notice_status", "notice_pinned",
         "notice_published_at", "notice_category", "notice_priority"], recipients)


_DELIVER = {(by_group, by_name): DriverStatement(_delivery(by_group, by_name))
            for by_group in (False, True) for by_name in (False, True)}


class SqlReceiptRepository(ReceiptRepository):
    def __init__(self, connection: Connection, notices_repo: SqlNoticeRepository, deferred: DeferredWrites):
        self.connection = connection
        self.notices = notices_repo
        self.deferred = deferred

    def deliver(self, notice: Notice, now: datetime) -> int:
        by_group, by_name = bool(notice.group_ids), bool(notice.recipient_user_ids)
        params = {"b_notice_id": notice.notice_id, "b_now": now, "b_author_id": notice.author_id,
                  "b_status": Status.PUBLISHED.value, "b_pinned": notice.pinned, "b_published_at": notice.published_at,
                  "b_category": notice.category.value, "b_priority": notice.priority.value}
        if by_group:
            params["b_group_ids"] = list(notice.group_ids)
        if by_name:
            params["b_user_ids"] = list(notice.recipient_user_ids)
        return _DELIVER[by_group, by_name].execute(self.connection, params)  # the receipts written

    def get(self, notice_id: str, user_id: str) -> Receipt | None:
        row = self.connection.execute(_SELECT_RECEIPT, {"b_notice_id": notice_id, "b_user_id": user_id}).first()
        return None if row is None else _receipt(row)

    def mark_read(self, notice_id: str, user_id: str, now: datetime) -> Receipt | None:
        row = self.connection.execute(_MARK_READ, {"b_notice_id": notice_id, "b_user_id": user_id,
                                                   "read_at": now}).first()
        return None if row is None else _receipt(row)

    def for_acknowledgement(self, notice_id: str, user_id: str) -> RecipientStanding | None:
        rows = _FOR_ACKNOWLEDGEMENT.execute(self.connection, {"n": notice_id, "u": user_id})
        if not rows:
            return None
        department, acknowledged_at, status, published_at, ack_deadline, group_ids = rows[0]
        return RecipientStanding(department, _aware(acknowledged_at), NoticeSummary(
            notice_id, Status(status), _aware(published_at), _aware(ack_deadline),
            tuple(group_ids.split()) if group_ids else ()))

    def acknowledge_if_unchanged(self, notice_id: str, user_id: str, now: datetime, comment: str) -> None:
        self.deferred.guard(_ACKNOWLEDGE_FIRST, {"n": notice_id, "u": user_id, "ack_at": now, "comment": comment,
                                                 "published": Status.PUBLISHED.value})

    def standings(self, notice_id: str) -> list[Standing]:
        return [Standing._make(row) for row in self.connection.execute(_STANDINGS, {"b_notice_id": notice_id}).all()]

    def pending_acknowledgement(self, notice_id: str) -> list[Person]:
        rows = self.connection.execute(
            sa.select(receipts.c.user_id, receipts.c.department)
            .where(receipts.c.notice_id == notice_id, receipts.c.acknowledged_at.is_(None))
            .order_by(receipts.c.department, receipts.c.user_id))
        return [Person(row.user_id, row.department) for row in rows]

    def inbox(self, user_id: str, *, category: Category | None, priority: Priority | None,
              after: InboxPosition | None, limit: int) -> list[tuple[Notice, Receipt]]:
        # Filtered and ordered on the receipts' copies of the notice's keys
        # (one range of ix_receipts_inbox); notices joined for the page only.
        query = (sa.select(notices, receipts.c.user_id, receipts.c.department, receipts.c.delivered_at,
                           receipts.c.read_at, receipts.c.acknowledged_at, receipts.c.ack_comment)
                 .select_from(receipts.join(notices, notices.c.notice_id == receipts.c.notice_id))
                 .where(receipts.c.user_id == user_id, receipts.c.notice_status == Status.PUBLISHED.value))
        if category is not None:
            query = query.where(receipts.c.notice_category == category.value)
        if priority is not None:
            query = query.where(receipts.c.notice_priority == priority.value)
        if after is not None:
            query = query.where(_after(after))
        rows = list(self.connection.execute(query.order_by(*INBOX_ORDER).limit(limit)))
        found = self.notices.many(rows)
        return [(notice, _receipt(row)) for notice, row in zip(found, rows)]


def _after(position: InboxPosition):
    """Receipts after ``position`` in INBOX_ORDER (keyset pagination)."""
    older = sa.or_(receipts.c.notice_published_at < position.published_at,
                   sa.and_(receipts.c.notice_published_at == position.published_at,
                           receipts.c.notice_id < position.notice_id))
    later_in_section = sa.and_(receipts.c.notice_pinned == position.pinned, older)
    if position.pinned:
        later_in_section = sa.or_(receipts.c.notice_pinned == sa.false(), later_in_section)
    if position.read:
        return sa.and_(receipts.c.read_at.is_not(None), later_in_section)
    return sa.or_(receipts.c.read_at.is_not(None), sa.and_(receipts.c.read_at.is_(None), later_in_section))


class SqlReminderLog(ReminderLog):
    def __init__(self, connection: Connection):
        self.connection = connection

    def sent_stages(self, notice_id: str) -> set[str]:
        return set(self.connection.execute(
            sa.select(reminder_stages.c.stage).where(reminder_stages.c.notice_id == notice_id)).scalars())

    def record(self, notice_id: str, stage: str, now: datetime, pending_count: int) -> None:
        self.connection.execute(reminder_stages.insert().values(
            notice_id=notice_id, stage=stage, sent_at=now, pending_count=pending_count))


class SqlShareRepository(ShareRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    @staticmethod
    def _share(row) -> Share:
        return Share(row.share_id, row.group_id, ShareKind(row.kind), row.title, row.body, row.author_id,
                     _aware(row.posted_at), row.reply_to or "")

    def add(self, share: Share) -> None:
        self.connection.execute(learning_shares.insert().values(
            share_id=share.share_id, group_id=share.group_id, kind=share.kind.value, title=share.title,
            body=share.body, author_id=share.author_id, posted_at=share.posted_at, reply_to=share.reply_to or None))

    def get(self, share_id: str) -> Share | None:
        row = self.connection.execute(sa.select(learning_shares).where(learning_shares.c.share_id == share_id)).first()
        return None if row is None else self._share(row)

    def of_group(self, group_id: str, limit: int) -> list[Share]:
        tops = [self._share(row) for row in self.connection.execute(
            sa.select(learning_shares).where(learning_shares.c.group_id == group_id,
                                             learning_shares.c.reply_to.is_(None))
            .order_by(learning_shares.c.posted_at.desc(), learning_shares.c.share_id.desc()).limit(limit))]
        by_id = {share.share_id: share for share in tops}
        if by_id:
            for row in self.connection.execute(
                    sa.select(learning_shares).where(learning_shares.c.reply_to.in_(list(by_id)))
                    .order_by(learning_shares.c.posted_at, learning_shares.c.share_id)):
                by_id[row.reply_to].replies.append(self._share(row))
        return tops


class SqlAuditLog(AuditLog):
    def __init__(self, connection: Connection, deferred: DeferredWrites):
        """Entries are written with the commit (``deferred``)."""
        self.connection = connection
        self.deferred = deferred

    def record(self, entry: AuditEntry) -> None:
        self.deferred.add(_AUDIT_INSERT, {
            "entity_kind": entry.entity_kind.value, "entity_id": entry.entity_id, "action": entry.action,
            "actor_id": entry.actor_id, "at": entry.at, "detail": json.dumps(entry.detail, ensure_ascii=False)})

    def trail(self, entity_kind: EntityKind, entity_id: str, *, limit: int = 200) -> list[AuditEntry]:
        rows = self.connection.execute(
            sa.select(audit_log).where(audit_log.c.entity_kind == entity_kind.value,
                                       audit_log.c.entity_id == entity_id)
            .order_by(audit_log.c.entry_id).limit(limit))
        return [AuditEntry(EntityKind(r.entity_kind), r.entity_id, r.action, r.actor_id, _aware(r.at),
                           json.loads(r.detail)) for r in rows]


class SqlNoticeUnitOfWork(SqlUnitOfWork, NoticeUnitOfWork):
    def _on_enter(self, connection: Connection) -> None:
        self.groups = SqlGroupRepository(connection)
        self.joins = SqlJoinRequestRepository(connection)
        self.notices = SqlNoticeRepository(connection, self.deferred)
        self.receipts = SqlReceiptRepository(connection, self.notices, self.deferred)
        self.reminders = SqlReminderLog(connection)
        self.shares = SqlShareRepository(connection)
        self.audit = SqlAuditLog(connection, self.deferred)
        self.findings = SqlFindingRepository(connection)
        self.incident_routes = SqlIncidentRouteRepository(connection)
        self.incidents = SqlIncidentRepository(connection)

    def publish(self, event) -> None:
        self.emit(to_envelope(event))
