"""hub.notice.v1.IncidentService: proto <-> commands; errors map in hubkit."""
from __future__ import annotations


from hub.notice.v1 import incident_service_pb2 as api, incident_service_pb2_grpc
from hubkit.protos import timestamp
from hubkit.grpc_server import current_caller
from notice import incident_handlers as handlers
from notice.domain import incidents, model
from notice.domain.incidents import Incident, IncidentRoute


def route_message(route: IncidentRoute) -> api.IncidentRoute:
    return api.IncidentRoute(kind=route.kind, group_id=route.group_id, set_by=route.set_by,
                             set_at=timestamp(route.set_at))


def incident_message(incident: Incident) -> api.Incident:
    message = api.Incident(
        incident_id=incident.incident_id, kind=incident.kind, description=incident.description,
        location=incident.location, photo_document_ids=list(incident.photo_document_ids),
        reporter_id=incident.reporter.user_id, reporter_department=incident.reporter.department,
        reported_at=timestamp(incident.reported_at), group_id=incident.group_id, notice_id=incident.notice_id)
    if incident.latitude is not None:
        message.position.CopyFrom(api.GeoPoint(latitude=incident.latitude, longitude=incident.longitude))
    return message


class IncidentServicer(incident_service_pb2_grpc.IncidentServiceServicer):
    def __init__(self, uow_factory, limits: model.Limits, default_group_id: str):
        self.uow_factory = uow_factory
        self.limits = limits
        self.default_group_id = default_group_id

    def SetIncidentRoute(self, request, context):
        route = handlers.set_incident_route(incidents.SetIncidentRoute(request.kind, request.group_id),
                                            caller=current_caller(), uow=self.uow_factory())
        return api.SetIncidentRouteResponse(route=route_message(route))

    def ListIncidentRoutes(self, request, context):
        routes = handlers.list_incident_routes(caller=current_caller(), uow=self.uow_factory(read_only=True))
        return api.ListIncidentRoutesResponse(routes=[route_message(r) for r in routes],
                                              default_group_id=self.default_group_id)

    def ReportIncident(self, request, context):
        has_position = request.HasField("position")
        cmd = incidents.ReportIncident(
            kind=request.kind, description=request.description, location=request.location,
            latitude=request.position.latitude if has_position else None,
            longitude=request.position.longitude if has_position else None,
            photo_document_ids=tuple(request.photo_document_ids))
        incident = handlers.report_incident(cmd, caller=current_caller(), uow=self.uow_factory(), limits=self.limits,
                                            default_group_id=self.default_group_id)
        return api.ReportIncidentResponse(incident=incident_message(incident))

    def GetIncident(self, request, context):
        incident = handlers.get_incident(incidents.GetIncident(request.incident_id), caller=current_caller(),
                                         uow=self.uow_factory(read_only=True))
        return api.GetIncidentResponse(incident=incident_message(incident))

    def ListIncidents(self, request, context):
        page = handlers.list_incidents(incidents.ListIncidents(request.kind, request.page_size, request.page_token),
                                       caller=current_caller(), uow=self.uow_factory(read_only=True))
        return api.ListIncidentsResponse(incidents=[incident_message(i) for i in page.incidents],
                                         next_page_token=page.next_page_token)
