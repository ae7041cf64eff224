"""Selectivity: which controls each declaration gets.

- :mod:`corridor.selectivity.declaration_facts` builds the engine's view of a declaration
  from the fact rows criteria read (:mod:`corridor.declarations.facts`, pure; re-exported
  for the engine by :mod:`corridor.selectivity.facts`);
- :mod:`corridor.selectivity.engine` compiles risk profiles into a ``ProfileSet``
  and assesses a declaration against it, with keyed random draws (pure);
- the service, persistence and edges around them (office parameters, stored
  decisions, re-routing) live beside them and call them.
"""
