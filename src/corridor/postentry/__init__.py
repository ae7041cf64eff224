"""Post-entry control: audit candidates ranked by risk and expected recovery, audit plans
per period and unit, audit cases and their findings, and the alerts (ориентировки) and
requests that carry what an audit found to the posts and the risk unit."""
