"""hub.notice.v1.GroupService: proto <-> commands; errors map in hubkit."""
from __future__ import annotations

from hub.notice.v1 import group_service_pb2 as api, group_service_pb2_grpc
from hubkit.grpc_server import current_caller, long_running
from notice import group_handlers as handlers
from notice.domain import commands
from notice.domain.errors import InvalidArgument
from notice.domain.groups import MemberInput, Role
from notice.grpc_messages import group_message, join_request_message, member_message, posting_rule, role


def _member_inputs(entries) -> tuple[MemberInput, ...]:
    return tuple(MemberInput(e.user_id, e.department, role(e.role, f"members[{i}].role") or Role.MEMBER)
                 for i, e in enumerate(entries))


class GroupServicer(group_service_pb2_grpc.GroupServiceServicer):
    def __init__(self, uow_factory, max_sync_members: int):
        self.uow_factory = uow_factory
        self.max_sync_members = max_sync_members

    def GetGroup(self, request, context):
        group = handlers.get_group(request.group_id, caller=current_caller(), uow=self.uow_factory(read_only=True))
        return api.GetGroupResponse(group=group_message(group))

    def RenameGroup(self, request, context):
        group = handlers.rename_group(commands.RenameGroup(request.group_id, request.name), caller=current_caller(),
                                      uow=self.uow_factory())
        return api.RenameGroupResponse(group=group_message(group))

    def ArchiveGroup(self, request, context):
        group = handlers.archive_group(commands.ArchiveGroup(request.group_id), caller=current_caller(),
                                       uow=self.uow_factory())
        return api.ArchiveGroupResponse(group=group_message(group))

    def SetPostingRules(self, request, context):
        cmd = commands.SetPostingRules(request.group_id, posting_rule(request.notice_posting, "notice_posting"),
                                       posting_rule(request.share_posting, "share_posting"))
        group = handlers.set_posting_rules(cmd, caller=current_caller(), uow=self.uow_factory())
        return api.SetPostingRulesResponse(group=group_message(group))

    def ListMembers(self, request, context):
        query = commands.ListMembers(request.group_id, request.page_size, request.page_token, request.department,
                                     role(request.role))
        page = handlers.list_members(query, caller=current_caller(), uow=self.uow_factory(read_only=True))
        return api.ListMembersResponse(members=[member_message(m) for m in page.items],
                                       next_page_token=page.next_page_token)

    @long_running  # any number of members in one call
    def AddMembers(self, request, context):
        added, existing = handlers.add_members(
            commands.AddMembers(request.group_id, _member_inputs(request.members)), caller=current_caller(),
            uow=self.uow_factory())
        return api.AddMembersResponse(added=added, already_members=existing)

    def RemoveMember(self, request, context):
        handlers.remove_member(commands.RemoveMember(request.group_id, request.user_id), caller=current_caller(),
                               uow=self.uow_factory())
        return api.RemoveMemberResponse()

    def SetMemberRole(self, request, context):
        new_role = role(request.role)
        if new_role is None:
            raise InvalidArgument("is required", field="role")
        member = handlers.set_member_role(commands.SetMemberRole(request.group_id, request.user_id, new_role),
                                          caller=current_caller(), uow=self.uow_factory())
        return api.SetMemberRoleResponse(member=member_message(member))

    def InviteMember(self, request, context):
        cmd = commands.InviteMember(request.group_id, request.user_id, request.department,
                                    role(request.role) or Role.MEMBER)
        join = handlers.invite_member(cmd, caller=current_caller(), uow=self.uow_factory())
        return api.InviteMemberResponse(request=join_request_message(join))

    def RequestToJoin(self, request, context):
        join = handlers.request_to_join(commands.RequestToJoin(request.group_id, request.department),
                                        caller=current_caller(), uow=self.uow_factory())
        return api.RequestToJoinResponse(request=join_request_message(join))

    def DecideJoinRequest(self, request, context):
        join = handlers.decide_join_request(commands.DecideJoinRequest(request.request_id, request.accept),
                                            caller=current_caller(), uow=self.uow_factory())
        return api.DecideJoinRequestResponse(request=join_request_message(join))

    def ListJoinRequests(self, request, context):
        query = commands.ListJoinRequests(request.group_id, request.pending_only, request.page_size,
                                          request.page_token)
        page = handlers.list_join_requests(query, caller=current_caller(), uow=self.uow_factory(read_only=True))
        return api.ListJoinRequestsResponse(requests=[join_request_message(j) for j in page.items],
                                            next_page_token=page.next_page_token)

    @long_running  # thousands of members in one call
    def SyncMembers(self, request, context):
        plan = handlers.sync_members(
            commands.SyncMembers(request.group_id, _member_inputs(request.members), request.remove_missing),
            caller=current_caller(), uow=self.uow_factory(), max_members=self.max_sync_members)
        return api.SyncMembersResponse(added=len(plan.to_add), updated=len(plan.to_update),
                                       removed=len(plan.to_remove), unchanged=plan.unchanged)
