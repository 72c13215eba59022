"""Marketing screens: the campaign list with its members."""
