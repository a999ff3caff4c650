"""How a package lets the packages built on it take part, without importing them.

Imports go one way (docs/architecture.md, "Layers"): accounts know nothing of the roster,
grants nothing of reports or deployments, applications nothing of the committee. Where the
lower package must still hear from the higher ones, it sends one of these signals; the
receivers are connected in one place, `create_app` (app/__init__.py, `connect_signals`),
so the whole wiring is one list to read.

`send(sender, **kwargs)` calls each receiver as `receiver(sender, **kwargs)` in the order
they were connected and returns their answers; a receiver refuses by raising a DomainError.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# app/auth: a user's nationality is about to change (kwargs: session, actor, state_iso3).
# The roster refuses once the expert is vetted (it drives recusal and matching).
nationality_changing = _signals.signal("nationality-changing")

# app/applications: a committee member sees an application only where a receiver says so;
# each answers with a SQL condition on `Application` for the member (sender). Nobody
# answering means the member sees nothing (the committee: it sits on one of its ballots).
committee_reach = _signals.signal("committee-reach")
# The application's page links to its ballots (sender: the application; kwargs: session);
# each receiver answers with a list (the committee: the ballots, oldest first).
application_ballots = _signals.signal("application-ballots")

# app/grants: the State has accepted the agreement (kwargs: session, actor). The reports
# schedule their reports.
grant_accepted = _signals.signal("grant-accepted")
# A grant is about to be cancelled or completed (kwargs: session, actor, action). Open
# deployments are cancelled with it; an unfinished one refuses completion.
grant_closing = _signals.signal("grant-closing")
# A grant's page (kwargs: session, user): each receiver answers (template, context) to add
# its section, or None.
grant_page_sections = _signals.signal("grant-page-sections")
# A grant's JSON (kwargs: session, user): each receiver answers a dict of fields to add.
grant_json_parts = _signals.signal("grant-json-parts")
