-- Editing posts before they publish: the time zone a post's time was picked in, so that its Edit
-- page and the calendar show the time as the user chose it (an instant alone forgets the zone).
ALTER TABLE posts ADD COLUMN time_zone text;
