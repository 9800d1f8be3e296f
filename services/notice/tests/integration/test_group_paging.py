"""Paging the member and join-request lists on SQLite and PostgreSQL (keyset, never offset)."""
from dataclasses import replace

import pytest

from hubkit.auth import Caller
from hubkit.errors import InvalidArgument, PermissionDenied
from notice import group_handlers as groups
from notice.domain import commands
from notice.domain.groups import JoinStatus, MemberInput, Role

SECRETARY = Caller("u-he", departments=("热电厂办公室",))
ADMIN = Caller("u-ma", departments=("热电厂办公室",))
FITTER = Caller("e00007", departments=("热电厂检修车间",))
OUTSIDER = Caller("u-zhou", departments=("热电厂化验室",))
SYSTEM = Caller("hr-sync", roles=("system",))
WORKSHOPS = ("热电厂运行车间", "热电厂检修车间", "热电厂燃料车间")


@pytest.fixture
def plant(uow):
    """A group of the secretary (owner), one admin and 300 members synced from HR."""
    group = groups.create_group(commands.CreateGroup("热电厂全体职工", "热电厂"), caller=SECRETARY, uow=uow())
    groups.add_members(commands.AddMembers(group.group_id, (MemberInput("u-ma", "热电厂办公室", Role.ADMIN),)),
                       caller=SECRETARY, uow=uow())
    staff = tuple(MemberInput(f"e{n:05d}", WORKSHOPS[n % 3]) for n in range(300))
    groups.sync_members(commands.SyncMembers(group.group_id, staff), caller=SECRETARY, uow=uow(), max_members=500)
    return group


def all_pages(uow, caller, query, list_call=groups.list_members, between_pages=lambda page_number: None):
    """(pages, every item in order) following next_page_token to the end."""
    pages = []
    while True:
        page = list_call(query, caller=caller, uow=uow())
        pages.append(page.items)
        if not page.next_page_token:
            return pages, [item for items in pages for item in items]
        between_pages(len(pages))
        query = replace(query, page_token=page.next_page_token)


def test_members_come_page_by_page_in_user_id_order_each_exactly_once(uow, plant):
    everyone = sorted([f"e{n:05d}" for n in range(300)] + ["u-he", "u-ma"])
    pages, members = all_pages(uow, FITTER, commands.ListMembers(plant.group_id, page_size=70))
    assert [len(items) for items in pages] == [70, 70, 70, 70, 22]
    assert [m.user_id for m in members] == everyone
    first = groups.list_members(commands.ListMembers(plant.group_id), caller=FITTER, uow=uow())
    assert len(first.items) == 100 and first.next_page_token  # the default page size
    exact = groups.list_members(commands.ListMembers(plant.group_id, page_size=302), caller=FITTER, uow=uow())
    assert len(exact.items) == 302 and exact.next_page_token == ""  # no empty page after a full last one


def test_members_joining_or_leaving_between_pages_never_repeat_or_hide_another(uow, plant):
    def churn(page_number):
        if page_number == 1:  # the first page ended at e00099
            groups.remove_member(commands.RemoveMember(plant.group_id, "e00050"), caller=ADMIN, uow=uow())
            groups.remove_member(commands.RemoveMember(plant.group_id, "e00200"), caller=ADMIN, uow=uow())
            groups.add_members(commands.AddMembers(plant.group_id, (MemberInput("e00050a", "热电厂运行车间"),
                                                                    MemberInput("e00250a", "热电厂燃料车间"))),
                               caller=ADMIN, uow=uow())

    _, members = all_pages(uow, FITTER, commands.ListMembers(plant.group_id, page_size=100), between_pages=churn)
    seen = [m.user_id for m in members]
    assert len(seen) == len(set(seen)) and seen == sorted(seen)
    stayed = {f"e{n:05d}" for n in range(300)} - {"e00050", "e00200"} | {"u-he", "u-ma"}
    assert stayed <= set(seen)
    # e00100 is the member an offset would have skipped once e00050 left.
    assert "e00100" in seen and "e00050" in seen  # e00050 was on the page read before it left
    assert "e00200" not in seen and "e00250a" in seen  # ahead of the cursor: the list as it is now
    assert "e00050a" not in seen  # joined behind the cursor: a fresh listing shows it


def test_members_filtered_by_department_or_role_page_the_same_way(uow, plant):
    _, fitters = all_pages(uow, FITTER, commands.ListMembers(plant.group_id, page_size=30,
                                                             department=" 热电厂检修车间 "))
    assert [m.user_id for m in fitters] == [f"e{n:05d}" for n in range(1, 300, 3)]
    managers = groups.list_members(commands.ListMembers(plant.group_id, page_size=1, role=Role.OWNER),
                                   caller=FITTER, uow=uow())
    assert [m.user_id for m in managers.items] == ["u-he"] and managers.next_page_token == ""
    admins = groups.list_members(commands.ListMembers(plant.group_id, role=Role.ADMIN), caller=FITTER, uow=uow())
    assert [(m.user_id, m.role) for m in admins.items] == [("u-ma", Role.ADMIN)]
    nobody = groups.list_members(commands.ListMembers(plant.group_id, department="热电厂化验室"), caller=FITTER,
                                 uow=uow())
    assert nobody.items == [] and nobody.next_page_token == ""


def test_join_requests_come_oldest_first_each_once_while_others_are_decided(uow, plant, clock):
    asked = []
    for n in range(25):
        if n % 4 == 0:
            clock.advance(minutes=1)  # four requests share each moment: the id breaks the tie
        newcomer = Caller(f"n{n:03d}", departments=("热电厂化学车间",))
        asked.append(groups.request_to_join(commands.RequestToJoin(plant.group_id), caller=newcomer, uow=uow(),
                                            clock=clock))
    in_order = sorted(asked, key=lambda r: (r.created_at, r.request_id))
    rejected = []

    def decide(page_number):
        if page_number == 1:  # one already listed and one not yet listed are decided
            for request in (in_order[2], in_order[20]):
                groups.decide_join_request(commands.DecideJoinRequest(request.request_id, False), caller=ADMIN,
                                           uow=uow(), clock=clock)
                rejected.append(request.request_id)

    query = commands.ListJoinRequests(plant.group_id, pending_only=True, page_size=6)
    pages, pending = all_pages(uow, ADMIN, query, groups.list_join_requests, between_pages=decide)
    assert [r.request_id for r in pending] == [r.request_id for r in in_order if r.request_id != rejected[1]]
    assert [len(items) for items in pages] == [6, 6, 6, 6]
    _, every = all_pages(uow, SECRETARY, commands.ListJoinRequests(plant.group_id, page_size=7),
                         groups.list_join_requests)
    assert [r.request_id for r in every] == [r.request_id for r in in_order]
    assert [r.status for r in every if r.request_id in rejected] == [JoinStatus.REJECTED] * 2


@pytest.mark.parametrize("query, field", [
    (dict(page_size=1001), "page_size"),
    (dict(page_token="%%%"), "page_token"),
    (dict(page_token="bm90IGpzb24"), "page_token"),
])
def test_bad_page_size_or_token_names_the_field(uow, plant, query, field):
    for call, command in ((groups.list_members, commands.ListMembers),
                          (groups.list_join_requests, commands.ListJoinRequests)):
        with pytest.raises(InvalidArgument) as raised:
            call(command(plant.group_id, **query), caller=SECRETARY, uow=uow())
        assert raised.value.field == field


def test_a_token_only_continues_the_list_it_came_from(uow, plant):
    other = groups.create_group(commands.CreateGroup("热电厂团支部", "热电厂"), caller=SECRETARY, uow=uow())
    token = groups.list_members(commands.ListMembers(plant.group_id, page_size=10), caller=SECRETARY,
                                uow=uow()).next_page_token
    for call, query in ((groups.list_members, commands.ListMembers(other.group_id, page_token=token)),
                        (groups.list_members, commands.ListMembers(plant.group_id, page_token=token,
                                                                   role=Role.MEMBER)),
                        (groups.list_join_requests, commands.ListJoinRequests(plant.group_id, page_token=token))):
        with pytest.raises(InvalidArgument) as raised:
            call(query, caller=SECRETARY, uow=uow())
        assert raised.value.field == "page_token"


def test_who_may_list_is_unchanged(uow, plant):
    members, requests = commands.ListMembers(plant.group_id, page_size=5), commands.ListJoinRequests(plant.group_id)
    for caller in (FITTER, ADMIN, SECRETARY, SYSTEM):
        assert len(groups.list_members(members, caller=caller, uow=uow()).items) == 5
    with pytest.raises(PermissionDenied) as raised:
        groups.list_members(members, caller=OUTSIDER, uow=uow())
    assert raised.value.field == "group_id"
    # A token does not open the list to someone who may not read it.
    token = groups.list_members(members, caller=FITTER, uow=uow()).next_page_token
    with pytest.raises(PermissionDenied):
        groups.list_members(commands.ListMembers(plant.group_id, page_size=5, page_token=token), caller=OUTSIDER,
                            uow=uow())
    for caller in (ADMIN, SECRETARY, SYSTEM):
        assert groups.list_join_requests(requests, caller=caller, uow=uow()).items == []
    for caller in (FITTER, OUTSIDER):
        with pytest.raises(PermissionDenied):
            groups.list_join_requests(requests, caller=caller, uow=uow())
