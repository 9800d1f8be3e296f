"""The rectification lifecycle of inspection findings (pure domain)."""
from datetime import datetime, timedelta, timezone

import pytest

from hubkit.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from notice.domain import findings
from notice.domain.findings import Actor, FindingStatus as S, Severity

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
INSPECTOR = Actor("u-qian", ("安全环保部",))
RESPONSIBLE = Actor("u-sun", ("炼铁厂",))
UNIT_COLLEAGUE = Actor("u-zhou", ("炼铁厂",))
STRANGER = Actor("u-wu", ("轧钢厂",))


def opened(**fields):
    cmd = findings.OpenFinding(**{
        "area": "二号高炉出铁场", "description": "主沟盖板破损，存在烫伤风险。", "severity": "high",
        "responsible_unit": "炼铁厂", "responsible_person": "u-sun", "due_at": NOW + timedelta(days=3),
        "photo_document_ids": ("doc-1", "doc-2"), **fields})
    return findings.open_finding(cmd, finding_id="f-1", inspector_id=INSPECTOR.user_id, now=NOW)


def in_status(status: S) -> findings.Finding:
    finding = opened()
    finding.status = status
    return finding


# Every step: how to take it, and who takes it.
STEPS = {
    "start": (lambda f, a: f.start(a, NOW), RESPONSIBLE),
    "rectify": (lambda f, a: f.rectify(a, NOW, note="已更换盖板并设置警示标志。", evidence_document_ids=("doc-9",)),
                RESPONSIBLE),
    "verify": (lambda f, a: f.verify(a, NOW), INSPECTOR),
    "reopen": (lambda f, a: f.reopen(a, NOW, reason="警示标志未按规范设置。"), INSPECTOR),
}
LEGAL = {
    (S.OPEN, "start"): S.IN_PROGRESS,
    (S.REOPENED, "start"): S.IN_PROGRESS,
    (S.IN_PROGRESS, "rectify"): S.RECTIFIED,
    (S.RECTIFIED, "verify"): S.VERIFIED,
    (S.RECTIFIED, "reopen"): S.REOPENED,
}


def test_opening_validates_trims_and_announces():
    finding = opened(area="  二号高炉出铁场 ", photo_document_ids=("doc-1", "doc-1", " doc-2"))
    assert finding.area == "二号高炉出铁场" and finding.status is S.OPEN
    assert finding.photo_document_ids == ("doc-1", "doc-2")
    assert finding.severity is Severity.HIGH and finding.inspector_id == "u-qian"
    [event] = finding.events
    assert event == findings.FindingOpened("f-1", "二号高炉出铁场", "主沟盖板破损，存在烫伤风险。", Severity.HIGH, "炼铁厂",
                                           "u-sun", NOW + timedelta(days=3), "u-qian", NOW, ("doc-1", "doc-2"))


@pytest.mark.parametrize("fields, field", [
    ({"area": " "}, "area"),
    ({"area": "区" * 101}, "area"),
    ({"description": ""}, "description"),
    ({"description": "述" * 2001}, "description"),
    ({"severity": ""}, "severity"),
    ({"severity": "urgent"}, "severity"),
    ({"responsible_unit": ""}, "responsible_unit"),
    ({"responsible_person": "  "}, "responsible_person"),
    ({"due_at": None}, "due_at"),
    ({"due_at": NOW}, "due_at"),
    ({"due_at": NOW - timedelta(days=1)}, "due_at"),
    ({"due_at": datetime(2027, 1, 1)}, "due_at"),
    ({"photo_document_ids": ("doc-1", "")}, "photo_document_ids[1]"),
    ({"photo_document_ids": ("d" * 65,)}, "photo_document_ids[0]"),
    ({"photo_document_ids": tuple(f"doc-{i}" for i in range(21))}, "photo_document_ids"),
])
def test_bad_findings_are_refused_naming_the_field(fields, field):
    with pytest.raises(InvalidArgument) as raised:
        opened(**fields)
    assert raised.value.field == field


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("step", list(STEPS))
def test_every_transition_is_legal_or_refused_naming_the_current_state(status, step):
    take, actor = STEPS[step]
    finding = in_status(status)
    if (status, step) in LEGAL:
        changed = take(finding, actor)
        assert finding.status is LEGAL[status, step] and finding.status_changed_at == NOW
        assert (changed.from_status, changed.to_status, changed.changed_by) == (status, LEGAL[status, step],
                                                                                actor.user_id)
        assert finding.events[-1] == changed
    else:
        with pytest.raises(FailedPrecondition) as raised:
            take(finding, actor)
        assert f"is {status.value}" in raised.value.message
        assert finding.status is status and len(finding.events) == 1  # only FindingOpened


@pytest.mark.parametrize("step, wrong_actors", [
    ("start", [INSPECTOR, STRANGER]),
    ("rectify", [INSPECTOR, STRANGER]),
    ("verify", [RESPONSIBLE, UNIT_COLLEAGUE, STRANGER]),
    ("reopen", [RESPONSIBLE, UNIT_COLLEAGUE, STRANGER]),
])
def test_the_wrong_side_is_refused_before_the_state_is_revealed(step, wrong_actors):
    take, _ = STEPS[step]
    for actor in wrong_actors:
        for status in S:
            finding = in_status(status)
            with pytest.raises(PermissionDenied):
                take(finding, actor)
            assert finding.status is status


def test_a_colleague_of_the_responsible_unit_may_rectify():
    finding = in_status(S.IN_PROGRESS)
    finding.rectify(UNIT_COLLEAGUE, NOW, note="已整改。", evidence_document_ids=("doc-7",))
    assert finding.status is S.RECTIFIED


def test_the_full_round_with_a_reopening():
    finding = opened()
    later = NOW + timedelta(hours=5)
    finding.start(RESPONSIBLE, NOW)
    finding.rectify(RESPONSIBLE, later, note=" 已更换盖板。 ", evidence_document_ids=("doc-8", "doc-8"))
    assert (finding.rectification_note, finding.evidence_document_ids, finding.rectified_at) == (
        "已更换盖板。", ("doc-8",), later)
    reopened = finding.reopen(INSPECTOR, later, reason="盖板未固定。")
    assert reopened.note == "盖板未固定。" and finding.reopened_count == 1 and finding.reopen_reason == "盖板未固定。"
    finding.start(RESPONSIBLE, later)
    finding.rectify(RESPONSIBLE, later, note="已焊接固定。", evidence_document_ids=("doc-10",))
    verified = finding.verify(INSPECTOR, later)
    assert finding.status is S.VERIFIED and finding.verified_at == later
    assert verified.evidence_document_ids == () and verified.area == "二号高炉出铁场"
    assert [findings.action_of(e) for e in finding.events[1:]] == [
        "started", "rectified", "reopened", "started", "rectified", "verified"]


@pytest.mark.parametrize("note, evidence, field", [
    ("", ("doc-1",), "note"),
    ("注" * 2001, ("doc-1",), "note"),
    ("已整改。", (), "evidence_document_ids"),
    ("已整改。", ("doc-1", " "), "evidence_document_ids[1]"),
])
def test_a_rectification_needs_a_note_and_evidence(note, evidence, field):
    finding = in_status(S.IN_PROGRESS)
    with pytest.raises(InvalidArgument) as raised:
        finding.rectify(RESPONSIBLE, NOW, note=note, evidence_document_ids=evidence)
    assert raised.value.field == field and finding.status is S.IN_PROGRESS


def test_a_reopening_needs_a_reason():
    finding = in_status(S.RECTIFIED)
    with pytest.raises(InvalidArgument) as raised:
        finding.reopen(INSPECTOR, NOW, reason="   ")
    assert raised.value.field == "reason" and finding.status is S.RECTIFIED and finding.reopened_count == 0


@pytest.mark.parametrize("status, overdue", [(S.OPEN, True), (S.IN_PROGRESS, True), (S.REOPENED, True),
                                             (S.RECTIFIED, False), (S.VERIFIED, False)])
def test_overdue_means_due_passed_and_not_done(status, overdue):
    finding = in_status(status)
    assert finding.is_overdue(finding.due_at + timedelta(seconds=1)) is overdue
    assert finding.is_overdue(finding.due_at) is False
