"""hub.reports.v1.EnergyService: proto <-> handler calls; errors map in hubkit."""
from __future__ import annotations

from hub.reports.v1 import energy_pb2, energy_service_pb2 as api, energy_service_pb2_grpc
from hubkit.grpc_server import current_caller
from reports import energy_handlers as handlers
from reports.domain.energy import Carrier, EnergyLine, QuantityInput, top_overruns

_CARRIERS = {Carrier.ELECTRICITY: energy_pb2.ENERGY_CARRIER_ELECTRICITY, Carrier.WATER: energy_pb2.ENERGY_CARRIER_WATER,
             Carrier.HEAT: energy_pb2.ENERGY_CARRIER_HEAT, Carrier.COAL: energy_pb2.ENERGY_CARRIER_COAL,
             Carrier.GAS: energy_pb2.ENERGY_CARRIER_GAS}
_CARRIER_NAMES = {number: carrier.value for carrier, number in _CARRIERS.items()}


def carrier_number(carrier: Carrier) -> int:
    return _CARRIERS[carrier]


def _rows(quantities) -> list[QuantityInput]:
    # An unspecified or unknown enum number becomes "", a carrier the domain refuses, naming the row.
    return [QuantityInput(q.unit_id, q.period, _CARRIER_NAMES.get(q.carrier, ""), q.value, q.unit)
            for q in quantities]


def line_message(line: EnergyLine) -> energy_pb2.EnergyLine:
    optional = {"actual": line.actual, "target": line.target, "variance": line.variance,
                "variance_percent": line.variance_pct, "previous": line.previous, "change_percent": line.change_pct}
    return energy_pb2.EnergyLine(unit_id=line.unit_id, carrier=_CARRIERS[line.carrier],
                                 base_unit=line.carrier.base_unit,
                                 **{name: value for name, value in optional.items() if value is not None})


class EnergyServicer(energy_service_pb2_grpc.EnergyServiceServicer):
    def __init__(self, uow_factory):
        self.uow_factory = uow_factory

    def IngestReadings(self, request, context):
        caller = current_caller()
        stored = handlers.ingest_readings(_rows(request.readings), user_id=caller.user_id, roles=caller.roles,
                                          uow=self.uow_factory())
        return api.IngestReadingsResponse(stored=stored)

    def SetTargets(self, request, context):
        caller = current_caller()
        stored = handlers.set_targets(_rows(request.targets), user_id=caller.user_id, roles=caller.roles,
                                      uow=self.uow_factory())
        return api.SetTargetsResponse(stored=stored)

    def GetEnergyReport(self, request, context):
        top_n = handlers.valid_top_n(request.top_n or 10)
        figures = handlers.energy_figures(request.period, uow=self.uow_factory(read_only=True))
        return api.GetEnergyReportResponse(
            period=figures.period, previous_period=figures.previous_period,
            lines=[line_message(l) for l in figures.lines],
            top_overruns=[line_message(l) for l in top_overruns(figures.lines, top_n)])
