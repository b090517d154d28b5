"""The CHERRIES checklist (Eysenbach, 2004, J Med Internet Res 6(3):e34), answered from the data.

Each item is answered from the wave, the instrument and the results where the system knows
the answer; everything else is marked for the authors to complete, never guessed.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.formatting import count, number, percent


def checklist(bundle, ledger):
    todo = _("[authors to complete]")
    wave = bundle.context.get("wave", {})
    recruitment = bundle.context.get("recruitment", {})
    instrument = bundle.context.get("instrument") or {"pages": []}
    items = [item for page in instrument["pages"] for item in page["items"]]
    t = bundle.threshold
    rates = bundle.first_row("sample/rates")
    flags = {row.get("check"): row for row in bundle.rows("quality/flags")}
    pseudonymous = wave.get("privacy_mode") == "pseudonymous"
    conditional = sum(page["conditional"] for page in instrument["pages"]) + sum(item["conditional"] for item in items)
    randomized = sum(item.get("randomized", False) for item in items)

    def rate(key):
        value = rates.get(key)
        return percent(value * 100) if isinstance(value, (int, float)) else _("not available (number invited unknown)")

    speeders = flags.get("speeder", {})
    return [
        (_("Design"), _("Describe survey design"), _("Cross-sectional web survey of the users of the institution's AI platform.") + " " + todo),
        (_("IRB"), _("IRB approval and informed consent"), todo),
        (_("IRB"), _("Informed consent"), _("Respondents read an information page and gave consent before the first question (see Appendix B).")),
        (_("IRB"), _("Data protection"), (_("Pseudonymous wave: answers stored under a keyed pseudonym, linked to usage records only with separate consent.")
                                          if pseudonymous else _("Anonymous wave: no identifier is stored with the answers.")) + " " + todo),
        (_("Development and pre-testing"), _("Development and testing"), todo),
        (_("Recruitment"), _("Open or closed survey"), _("Closed survey: access through a personal invitation link or the institution's sign-in.")),
        (_("Recruitment"), _("Contact mode"), ngettext("%(created)s invitation link created, %(used)s used; %(sso)s responses through sign-in.",
                  "%(created)s invitation links created, %(used)s used; %(sso)s responses through sign-in.",
                  int(recruitment.get("invitations_created") or 0))
         % {"created": number(recruitment.get("invitations_created"), 0),  # links, not respondents: not suppressed
            "used": number(recruitment.get("invitations_used"), 0),
            "sso": count(recruitment.get("responses_via_sign_in"), t)}),
        (_("Recruitment"), _("Advertising the survey"), todo),
        (_("Administration"), _("Web/e-mail"), _("Web survey on the institution's own server (Uptake).")),
        (_("Administration"), _("Context"), todo),
        (_("Administration"), _("Mandatory/voluntary"), _("Voluntary, as stated on the information page.")),
        (_("Administration"), _("Incentives"), todo),
        (_("Administration"), _("Time/date"), f"{wave.get('opens_at', '')} – {wave.get('closes_at', '')}"),
        (_("Administration"), _("Randomization of items or questionnaires"),
         _("Option order randomized in %(n)s item(s).") % {"n": randomized} if randomized else _("No randomization.")),
        (_("Administration"), _("Adaptive questioning"),
         _("Yes: %(n)s pages or items are shown only when earlier answers call for them.") % {"n": conditional} if conditional else _("No.")),
        (_("Administration"), _("Number of items"), str(sum(max(len(item["rows"]), 1) for item in items))),
        (_("Administration"), _("Number of screens (pages)"), str(len(instrument["pages"]))),
        (_("Administration"), _("Completeness check"),
         _("%(n)s items required before a page can be submitted; Likert items offer a “not applicable” answer where defined.")
         % {"n": sum(item["required"] for item in items)}),
        (_("Administration"), _("Review step"), _("Respondents can go back to earlier pages and change answers before submitting.") + " " + todo),
        (_("Response rates"), _("Unique site visitor"), _("One response per participant and wave, enforced by the database.")),
        (_("Response rates"), _("View rate"), rate("view_rate")),
        (_("Response rates"), _("Participation rate"), rate("participation_rate")),
        (_("Response rates"), _("Completion rate"), rate("completion_rate")),
        (_("Preventing multiple entries"), _("Cookies used"), _("A session cookie keeps a respondent's progress; it is not used to identify people.")),
        (_("Preventing multiple entries"), _("IP check"), _("No IP addresses are stored.")),
        (_("Preventing multiple entries"), _("Log file analysis"), _("Page visits are recorded as paradata (times per page, drop-out).")),
        (_("Preventing multiple entries"), _("Registration"), _("Access by personal link or institutional sign-in, one response per person.")),
        (_("Analysis"), _("Handling of incomplete questionnaires"), _("Only completed questionnaires were analysed (%(n)s).") % {"n": count(bundle.analysed, t)}),
        (_("Analysis"), _("Questionnaires submitted with an atypical timestamp"),
         _("Completion faster than a third of the median time flagged (%(n)s); excluded: %(excluded)s.")
         % {"n": count(speeders.get("flagged"), t), "excluded": _("yes") if speeders.get("excluded") else _("no")}),
        (_("Analysis"), _("Statistical correction"),
         ledger.claim(_("Weighted estimates reported beside unweighted ones."), "weights")
         or _("None (unweighted estimates).")),
    ]
