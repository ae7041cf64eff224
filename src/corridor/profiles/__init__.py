"""Risk profiles and what they use: the measures catalogue, named reference lists.

A risk profile says: in this risk area, declarations matching these criteria get
these measures, at this rate, in this scope, for this period. Versions are
immutable once approved; every change of state is journalled.
"""
