"""Every matching status has one label, and the labels name exactly the statuses the rules allow."""

from dxapp import labels
from dxapp.rules import matching


def test_each_matching_object_has_a_label_for_exactly_its_statuses():
    assert tuple(labels.PROPOSAL_LABELS) == matching.PROPOSAL_STATUSES
    assert tuple(labels.INTRODUCTION_LABELS) == matching.INTRODUCTION_STATUSES
    assert tuple(labels.SELF_MATCH_LABELS) == matching.SELF_MATCH_STATUSES
    assert tuple(labels.PACKAGE_LABELS) == matching.PACKAGE_STATUSES


def test_transitions_only_name_known_statuses_and_final_statuses_stay():
    for kind, statuses in (("proposal", matching.PROPOSAL_STATUSES), ("introduction", matching.INTRODUCTION_STATUSES),
                           ("self_match", matching.SELF_MATCH_STATUSES), ("package", matching.PACKAGE_STATUSES)):
        for current in statuses:
            for to in statuses:
                if matching.may_move(kind, current, to):
                    assert to != current
    assert matching.may_move("proposal", "sent", "accepted")
    assert not matching.may_move("proposal", "accepted", "withdrawn")
    assert not matching.may_move("introduction", "declined", "accepted")
    assert matching.may_move("package", "unpublished", "published")


def test_each_plan_status_has_a_label():
    from dxapp.rules import plan

    assert tuple(labels.PLAN_LABELS) == plan.STATUSES
