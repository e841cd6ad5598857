"""HTML pages (inbox, studio, monitor): server-rendered Jinja on the static vendor assets."""
