"""The app's screens: one module per screen family, all built on ``base.DojoScreen``."""
