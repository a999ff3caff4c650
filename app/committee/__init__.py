"""The advisory committee: seats and terms, ballots, recusals, votes and the discussion."""
