"""Selectivity: which controls each declaration gets.

- :mod:`corridor.selectivity.engine` compiles risk profiles into a ``ProfileSet``
  and assesses a declaration against it, with keyed random draws (pure); its
  ``DeclarationFacts.of`` builds the engine's view of a declaration from the fact rows
  criteria read (:mod:`corridor.declarations.facts`, pure), each fact given once;
- the service, persistence and edges around them (office parameters, stored
  decisions, re-routing) live beside them and call them.
"""
