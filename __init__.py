"""xinglian (星链): yearly plans for the Starlink Project's federations.

The package turns an instance (people, federations, presidiums, venues,
availability, rules) into a yearly plan with CP-SAT, checks it with an
independent checker and writes a plan directory with iCalendar files.
"""

__version__ = "0.1.0"
