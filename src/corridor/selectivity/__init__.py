"""Selectivity: which controls each declaration gets.

- :mod:`corridor.selectivity.facts` builds the fact rows criteria read (pure);
- :mod:`corridor.selectivity.engine` compiles risk profiles into a ``ProfileSet``
  and assesses a declaration against it, with keyed random draws (pure);
- the service, persistence and edges around them (office parameters, stored
  decisions, re-routing) live beside them and call them.
"""
