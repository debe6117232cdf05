"""The present stage: what the notebooks show. Report objects turn the results into headlines, charts,
tables, downloads and Swedish text; nothing here computes a gap."""
