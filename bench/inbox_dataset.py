"""A year of a steel works' notices for the inbox and statistics benchmark,
planned in memory and bulk-loaded into the notice database with COPY.

The shape: 3,000 staff in 12 departments; 50 groups — the whole works, one
per department, 35 shift and maintenance teams (班组) and 2 cross-department
task forces; 100,000 notices over the past year (teams get most of them,
daily dispatch orders; the whole works a few a month; named-recipient tasks
to one to four people), exactly 1,000,000 receipts. Department heads
administer their teams, so their inboxes are the largest. Receipts are
delivered, read or acknowledged as people would: old notices mostly read,
the last day's often not; notices that require acknowledgement mostly
acknowledged, some late.

Rows are written the way the service writes them (notice_versions with
version 1, and 2 for edited notices; receipts only for published or later
revoked notices, minus the author, with their notice's inbox keys; a
scheduled notice has none). The outbox,
the audit log and reminder stages are not loaded: neither the inbox nor the
statistics read them.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

NOTICES = 100_000
RECEIPTS = 1_000_000
STAFF = 3_000
# Department -> head count (sums to STAFF) and how many teams it has.
DEPARTMENTS = {
    "炼铁厂": (520, 6), "炼钢厂": (610, 7), "热轧厂": (480, 6), "冷轧厂": (400, 5), "能源动力厂": (300, 4),
    "设备管理部": (180, 3), "安全环保部": (90, 1), "质量检验中心": (150, 2), "物流运输部": (170, 1),
    "党群工作部": (30, 0), "厂长办公室": (40, 0), "人力资源部": (30, 0),
}
TEAM_NAMES = ["甲班", "乙班", "丙班", "丁班", "点检组", "维修组", "QC攻关组"]
TASK_FORCES = ["冬季防寒防冻专项组", "安全生产标准化推进组"]
WORKS_NOTICES = 36  # three a month to everybody
DEPARTMENT_NOTICES = 48  # about one a week per department group
NAMED_TASKS = 25_000
SCHEDULED_SHARE = 0.003
REVOKED_SHARE = 0.005
EDITED_SHARE = 0.04
TWO_CREWS = 0.03  # team notices a department head sends to two crews at once

TOPICS = ["高炉检修", "转炉煤气回收", "冬季防寒防冻", "设备点检", "安全生产月", "节能降耗", "质量攻关", "环保检查",
          "消防演练", "劳保用品发放", "职工技能培训", "党风廉政建设", "汛期防洪", "夏季防暑降温", "起重设备年检"]
HAZARDS = ["煤气中毒", "高处坠落", "起重伤害", "钢水喷溅", "触电", "机械伤害", "受限空间作业"]
ACK_COMMENTS = ["", "", "收到", "已阅", "已传达到班组", "已组织学习", "按要求落实"]
# category -> (weight, share that requires acknowledgement, share that is urgent)
CATEGORIES = {"notice": (40, 0.25, 0.05), "task": (30, 0.6, 0.08), "learning_material": (12, 0.3, 0.0),
              "safety_alert": (10, 0.8, 0.6), "meeting": (8, 0.5, 0.05)}


@dataclass(frozen=True)
class Person:
    user_id: str
    department: str


@dataclass
class GroupPlan:
    group_id: str
    name: str
    department: str
    kind: str  # works, department, team, task_force
    owner: Person
    admins: list[Person]
    members: list[Person]  # everybody, owner and admins included
    created_at: datetime

    @property
    def managers(self) -> list[Person]:
        return [self.owner] + self.admins


@dataclass
class NoticePlan:
    notice_id: str
    groups: list[GroupPlan]
    named: list[Person]
    author: Person
    published_at: datetime
    category: str
    priority: str
    requires_ack: bool
    ack_deadline: datetime | None
    pinned: bool = False
    status: str = "published"
    edited_at: datetime | None = None
    revoked_at: datetime | None = None
    attachments: list[str] = field(default_factory=list)
    recipients: list[Person] = field(default_factory=list)
    # Filled while the receipts are generated: what the statistics must say.
    read: int = 0
    acknowledged: int = 0

    @property
    def delivered(self) -> bool:
        return self.status != "scheduled"


@dataclass
class Dataset:
    now: datetime
    staff: list[Person]
    groups: list[GroupPlan]
    notices: list[NoticePlan]
    seed: int
    # user id -> {notice id: read} for the users named here before the
    # receipts are generated, to check their inboxes against.
    watched: dict[str, dict[str, bool]] = field(default_factory=dict)

    def receipt_count(self) -> int:
        return sum(len(n.recipients) for n in self.notices if n.delivered)


def _id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"  # the shape of handler_support.new_id


def plan(now: datetime, seed: int = 2024) -> Dataset:
    rng = random.Random(seed)
    staff, by_department = [], {}
    for department, (heads, _) in DEPARTMENTS.items():
        people = [Person(f"gt{len(staff) + n:05d}", department) for n in range(heads)]
        staff += people
        by_department[department] = people
    assert len(staff) == STAFF
    year_ago = now - timedelta(days=365)
    created = year_ago - timedelta(days=30)

    def group(name, department, kind, owner, admins, members) -> GroupPlan:
        everyone = list(dict.fromkeys([owner, *admins, *members]))
        return GroupPlan(_id(rng), name, department, kind, owner, list(admins), everyone,
                         created + timedelta(minutes=rng.randrange(20_000)))

    heads = {d: people[0] for d, people in by_department.items()}
    groups = [group("全厂职工通知群", "厂长办公室", "works", heads["厂长办公室"],
                    [heads["安全环保部"], heads["党群工作部"]], staff)]
    for department, people in by_department.items():
        groups.append(group(f"{department}全体职工", department, "department", people[0], people[1:3], people))
    for department, (_, team_count) in DEPARTMENTS.items():
        crew = by_department[department][3:]
        for n in range(team_count):
            # Mostly shift-sized crews, a few larger maintenance teams.
            size = rng.choice([5, 6, 7, 8, 8, 9, 10, 12]) if rng.random() < 0.8 else rng.randrange(15, 45)
            members = rng.sample(crew, size)
            groups.append(group(f"{department}{TEAM_NAMES[n]}", department, "team", members[0],
                                [heads[department]], members[1:]))
    for name in TASK_FORCES:
        members = rng.sample(staff, rng.randrange(15, 25))
        groups.append(group(name, "安全环保部", "task_force", heads["安全环保部"], [], members))
    assert len(groups) == 50

    notices = _plan_notices(rng, now, year_ago, groups, by_department)
    return Dataset(now, staff, groups, notices, seed)


def _plan_notices(rng: random.Random, now: datetime, year_ago: datetime, groups: list[GroupPlan],
                  by_department: dict[str, list[Person]]) -> list[NoticePlan]:
    categories = list(CATEGORIES)
    weights = [CATEGORIES[c][0] for c in categories]

    def notice(targets: list[GroupPlan], author: Person, named: list[Person] = (), category: str | None = None):
        category = category or rng.choices(categories, weights)[0]
        _, ack_share, urgent_share = CATEGORIES[category]
        published = year_ago + timedelta(seconds=rng.randrange(365 * 86_400))
        requires_ack = rng.random() < ack_share
        deadline = (published + timedelta(hours=rng.choice([8, 24, 48, 72, 120, 168]))
                    if requires_ack and rng.random() < 0.8 else None)
        plan_ = NoticePlan(_id(rng), targets, list(named), author, published, category,
                           "urgent" if rng.random() < urgent_share else "normal", requires_ack, deadline,
                           pinned=rng.random() < 0.015,
                           attachments=[_id(rng) for _ in range(rng.choice([1, 2, 3]))] if rng.random() < 0.1 else [])
        reached = {p: None for g in targets for p in g.members}
        reached.update((p, None) for p in named)
        reached.pop(author, None)
        plan_.recipients = list(reached)
        return plan_

    works, departments = groups[0], groups[1:13]
    teams = [g for g in groups if g.kind in ("team", "task_force")]
    planned = [notice([works], rng.choice(works.managers)) for _ in range(WORKS_NOTICES)]
    for group in departments:
        others = [p for g in departments if g is not group for p in g.members[:3]]
        planned += [notice([group], rng.choice(group.managers),
                           rng.sample(others, rng.randrange(1, 4)) if rng.random() < 0.05 else ())
                    for _ in range(DEPARTMENT_NOTICES)]

    # Teams share what is left of the notices, smaller crews more often
    # (their daily orders), such that the receipts of group notices leave
    # the named tasks between one and four recipients each.
    team_notices = NOTICES - len(planned) - NAMED_TASKS
    group_budget = RECEIPTS - sum(len(n.recipients) for n in planned) - int(2.5 * NAMED_TASKS)
    # A notice to two crews reaches about twice as many.
    exponent = _solve_exponent([len(t.members) - 1 for t in teams], team_notices, group_budget / (1 + TWO_CREWS))
    shares = [len(t.members) ** -exponent for t in teams]
    counts = [round(team_notices * s / sum(shares)) for s in shares]
    counts[0] += team_notices - sum(counts)
    for team, count in zip(teams, counts):
        siblings = [t for t in teams if t.kind == team.kind == "team" and t.department == team.department
                    and t is not team]
        for _ in range(count):
            if siblings and rng.random() < TWO_CREWS:  # the department head writes to two crews at once
                planned.append(notice([team, rng.choice(siblings)], team.admins[0]))
            else:
                planned.append(notice([team], team.owner if rng.random() < 0.8 else rng.choice(team.managers)))

    # Named tasks: a manager of a department assigns work to one to four of
    # its people; their sizes make the receipts exactly RECEIPTS.
    managers = [m for g in groups[1:] if g.kind != "task_force" for m in g.managers]
    for _ in range(NAMED_TASKS):
        planned.append(notice([], rng.choice(managers), [], "task"))
    rng.shuffle(planned)
    # Scheduled before the named tasks are sized: a scheduled notice has no receipts yet.
    for n in planned:
        if n.groups and rng.random() < SCHEDULED_SHARE:
            n.status = "scheduled"
            n.published_at = now + timedelta(minutes=rng.randrange(60, 14 * 1440))
            if n.ack_deadline is not None:
                n.ack_deadline = n.published_at + timedelta(days=3)
    tasks = [n for n in planned if not n.groups]
    remaining = RECEIPTS - sum(len(n.recipients) for n in planned if n.delivered)
    if not len(tasks) <= remaining <= 4 * len(tasks):
        raise RuntimeError(f"{remaining:,} receipts left for {len(tasks):,} named tasks")
    sizes = _spread(rng, remaining, len(tasks), 1, 4)
    for task, size in zip(tasks, sizes):
        picked = rng.sample(by_department[task.author.department], size + 1)
        task.named = [p for p in picked if p != task.author][:size]
        task.recipients = list(task.named)

    for n in planned:
        if n.delivered and rng.random() < REVOKED_SHARE:
            n.status = "revoked"
            n.revoked_at = min(now, n.published_at + timedelta(minutes=rng.randrange(5, 600)))
        elif n.delivered and rng.random() < EDITED_SHARE:
            n.edited_at = min(now, n.published_at + timedelta(minutes=rng.randrange(5, 2_000)))
    assert len(planned) == NOTICES
    return planned


def _solve_exponent(recipients: list[int], notices: int, budget: int) -> float:
    """The exponent a for which notices shared as size**-a give ``budget``
    receipts (bisection: a larger exponent favours small groups)."""
    def receipts(a: float) -> float:
        shares = [(r + 1) ** -a for r in recipients]
        return sum(notices * s / sum(shares) * r for s, r in zip(shares, recipients))
    low, high = -2.0, 6.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if receipts(middle) > budget else (low, middle)
    return low


def _spread(rng: random.Random, total: int, count: int, smallest: int, largest: int) -> list[int]:
    """``count`` random sizes in [smallest, largest] summing to ``total``."""
    sizes = [smallest] * count
    left = total - smallest * count
    while left:
        n = rng.randrange(count)
        if sizes[n] < largest:
            sizes[n] += 1
            left -= 1
    return sizes


# --- texts ----------------------------------------------------------------------

def _texts(rng: random.Random, n: NoticePlan) -> tuple[str, str]:
    topic = rng.choice(TOPICS)
    where = n.groups[0].name if n.groups else n.author.department
    if n.category == "safety_alert":
        hazard = rng.choice(HAZARDS)
        return (f"安全警示：严防{hazard}事故",
                f"{where}各岗位：近期兄弟单位发生{hazard}事故，请立即开展隐患排查，作业前落实安全确认，"
                f"发现问题及时上报调度。")
    if n.category == "meeting":
        return (f"关于召开{topic}专题会议的通知",
                f"定于本周四下午两点在三楼会议室召开{topic}专题会议，请{where}相关负责人准时参加。")
    if n.category == "learning_material":
        return (f"{topic}学习资料（第{rng.randrange(1, 40)}期）",
                f"现将{topic}相关规程与典型案例下发{where}，请组织职工利用班前会时间认真学习。")
    if n.category == "task":
        return (f"{topic}工作任务安排",
                f"请于{(n.published_at + timedelta(days=3)):%m月%d日}前完成{topic}相关工作，并将完成情况报{where}。")
    return (f"关于做好{topic}工作的通知",
            f"{where}：为切实做好{topic}工作，现将有关要求通知如下，请各岗位认真贯彻落实。")


# --- rows -------------------------------------------------------------------------

COLUMNS = {
    "groups": ["group_id", "name", "department", "created_by", "created_at", "archived_at", "notice_posting",
               "share_posting"],
    "group_members": ["group_id", "user_id", "department", "role", "joined_at", "synced"],
    "notices": ["notice_id", "title", "body", "author_id", "published_at", "category", "priority", "pinned",
                "requires_ack", "ack_deadline", "status", "version", "updated_at", "author_department",
                "attachment_document_ids", "recipient_count", "revoke_reason", "revoked_by", "revoked_at"],
    "notice_targets": ["notice_id", "group_id", "position"],
    "notice_recipients": ["notice_id", "user_id", "position"],
    "notice_versions": ["notice_id", "version", "title", "body", "category", "priority", "editor_id", "edited_at",
                        "changed_fields"],
    "receipts": ["notice_id", "user_id", "department", "delivered_at", "read_at", "acknowledged_at",
                 "ack_comment", "notice_status", "notice_pinned", "notice_published_at", "notice_category",
                 "notice_priority"],
}


def group_rows(data: Dataset):
    for g in data.groups:
        yield "groups", (g.group_id, g.name, g.department, g.owner.user_id, g.created_at, None, "managers",
                         "all_members")
        for person in g.members:
            role = "owner" if person == g.owner else "admin" if person in g.admins else "member"
            # Plain members of the works and department groups come from the HR sync.
            synced = role == "member" and g.kind in ("works", "department")
            yield "group_members", (g.group_id, person.user_id, person.department, role, g.created_at, synced)


def notice_rows(data: Dataset):
    rng = random.Random(data.seed + 1)
    for n in data.notices:
        title, body = _texts(rng, n)
        created = n.published_at if n.delivered else data.now - timedelta(minutes=rng.randrange(60, 3_000))
        first = (n.notice_id, 1, title, body, n.category, n.priority, n.author.user_id, created, "[]")
        yield "notice_versions", first
        version, updated = 1, created
        if n.edited_at is not None:
            body = f"{body}（补充：请各单位于当日下班前反馈落实情况。）"
            version, updated = 2, n.edited_at
            yield "notice_versions", (n.notice_id, 2, title, body, n.category, n.priority, n.author.user_id,
                                      n.edited_at, '["body"]')
        revoked = n.status == "revoked"
        yield "notices", (
            n.notice_id, title, body, n.author.user_id, n.published_at, n.category, n.priority, n.pinned,
            n.requires_ack, n.ack_deadline, n.status, version, n.revoked_at if revoked else updated,
            n.author.department, json.dumps(n.attachments), len(n.recipients) if n.delivered else 0,
            "内容有误，撤回后重新发布" if revoked else "", n.author.user_id if revoked else None,
            n.revoked_at)
        for position, g in enumerate(n.groups):
            yield "notice_targets", (n.notice_id, g.group_id, position)
        for position, person in enumerate(n.named):
            yield "notice_recipients", (n.notice_id, person.user_id, position)


def _read_chance(age: timedelta) -> float:
    if age > timedelta(days=30):
        return 0.97
    if age > timedelta(days=7):
        return 0.9
    if age > timedelta(days=1):
        return 0.7
    return 0.35


def receipt_rows(data: Dataset):
    """Receipts of every delivered notice; counts what it makes on the plans."""
    rng = random.Random(data.seed + 2)
    for n in data.notices:
        if not n.delivered:
            continue
        n.read = n.acknowledged = 0
        chance = _read_chance(data.now - n.published_at)
        mean_delay = 3_600 if n.priority == "urgent" else 4 * 3_600
        until = n.revoked_at or data.now
        for person in n.recipients:
            read_at = acknowledged_at = None
            comment = ""
            if rng.random() < chance:
                at = n.published_at + timedelta(seconds=rng.expovariate(1 / mean_delay))
                if at < until:
                    read_at = at
                    n.read += 1
                    if n.requires_ack and rng.random() < 0.92:
                        at = read_at + timedelta(seconds=rng.expovariate(1 / 1_800))
                        if at < until:
                            acknowledged_at, comment = at, rng.choice(ACK_COMMENTS)
                            n.acknowledged += 1
            if person.user_id in data.watched:
                data.watched[person.user_id][n.notice_id] = read_at is not None
            yield (n.notice_id, person.user_id, person.department, n.published_at, read_at, acknowledged_at,
                   comment, n.status, n.pinned, n.published_at, n.category, n.priority)


def load(database_url: str, data: Dataset) -> dict[str, int]:
    """COPY every row into the migrated database, then ANALYZE; rows per table."""
    import psycopg
    counts = dict.fromkeys(COLUMNS, 0)
    with psycopg.connect(database_url) as connection:
        for source in (group_rows(data), notice_rows(data)):
            by_table: dict[str, list] = {}
            for table, row in source:
                by_table.setdefault(table, []).append(row)
            # Parents before children (foreign keys).
            for table in [t for t in COLUMNS if t in by_table]:
                counts[table] += _copy(connection, table, by_table[table])
        counts["receipts"] = _copy(connection, "receipts", receipt_rows(data))
        connection.commit()
        connection.autocommit = True
        connection.execute("ANALYZE")
    return counts


def _copy(connection, table: str, rows) -> int:
    count = 0
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count
