"""Reference data: countries, currencies, customs code lists, offices, exchange rates."""
