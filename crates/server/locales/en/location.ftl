# Location reports (issue 9): the case page, the console form, the applicant's page.

location-heading = Locations
location-sent-by-applicant = Places the applicant sent
location-newest = Newest
location-stale = stale
location-none = No location reported yet.
location-true-at = true at
location-recorded-at = recorded
location-by-applicant = the applicant
location-accuracy-metres = ±{ $metres } m
location-accuracy-unknown = accuracy unknown
location-age-minutes = { $n } min ago
location-age-hours = { $n } h ago
location-age-days = { $n } days ago
location-add-title = Add a location
location-add-legend = Add a location
location-place-label = Place
location-place-hint = Decimal degrees (48.0159, 37.8028 or 48.0159 N 37.8028 E), degrees-minutes-seconds, MGRS (37U DQ 12345 67890), or a description in words.
location-accuracy-label = Accuracy in metres (optional; an MGRS reference gives its own)
location-source-label = Source
location-source = Source
location-true-at-label = True at (UTC, optional; now when empty)
location-true-at-hint = When the person was there, if earlier than now.
location-add-submit = Add location
location-back-to-case = Back to the case
location-source-applicant-typed = typed by the applicant
location-source-messenger = messenger location
location-source-browser = the applicant's browser
location-source-staff-call = staff, from a call

location-error-source = Choose a source.
location-error-accuracy = The accuracy must be a whole number of metres from 1 to 1,000,000.
location-error-future = The time the location was true is in the future.
location-error-time = The time is not understood: use YYYY-MM-DD HH:MM (UTC).
location-error-too-long = The location is too long (at most 200 characters).
location-error-empty = The location is empty.
location-error-bad-number = A number in the coordinates is not understood.
location-error-one-coordinate = Only one coordinate was found: give both latitude and longitude.
location-error-trailing = There is more after the longitude than was understood.
location-error-misplaced-mark = A degree, minute or second sign is out of place.
location-error-misplaced-hemisphere = A hemisphere letter (N, S, E, W) is out of place.
location-error-same-axis = Both coordinates name a north/south hemisphere, or both an east/west one.
location-error-sign-and-hemisphere = A coordinate has both a minus sign and a hemisphere letter.
location-error-whole-numbers = Whole numbers without a decimal point, degree sign or hemisphere are not understood as coordinates.
location-error-fractional-degrees = Degrees with a fraction cannot be followed by minutes.
location-error-fractional-minutes = Minutes with a fraction cannot be followed by seconds.
location-error-minutes = Minutes must be below 60.
location-error-seconds = Seconds must be below 60.
location-error-latitude = The latitude is out of range (−90 to 90).
location-error-longitude = The longitude is out of range (−180 to 180).
location-error-mgrs-zone = The MGRS zone is not a number from 1 to 60.
location-error-mgrs-band = The MGRS latitude band letter is not C to X (without I and O).
location-error-mgrs-square = The MGRS 100 km square letters are not valid for this zone and band.
location-error-mgrs-odd-digits = The MGRS reference has an odd number of digits: easting and northing need as many digits each.
location-error-mgrs-unequal = The MGRS easting and northing have different numbers of digits.
location-error-mgrs-too-many-digits = The MGRS reference has more than 10 digits (finer than 1 m).
location-error-mgrs-other = The MGRS reference is not understood.

notice-location-added = Location added.
notice-location-needed = A case is marked located only with a location report: add one first.

timeline-location-reported-by = { $who } recorded a location ({ $source }).
timeline-location-reported-applicant = The applicant sent a location ({ $source }).
timeline-location-viewed = { $who } was shown the locations.

chat-location-link = Send where you are
chat-location-heading = Where you are
chat-location-intro = Send your place only when it is safe for you. Coordinates, a grid reference or a few words are all fine.
chat-location-place-label = Your place
chat-location-place-hint = For example 48.0159, 37.8028, or 37U DQ 12345 67890, or a description.
chat-location-accuracy-label = How precise, in metres (optional)
chat-location-use-position = Use my position
chat-location-position-failed = Your device could not tell the position. You can type it instead.
chat-location-send = Send
chat-location-sent = Thank you, it has been received. You can go back to the conversation.
chat-location-back = Back to the conversation
chat-location-no-conversation = Start the conversation first, then you can send where you are.

# The server-drawn map (console/case_map.rs).
map-title = Map of the places
map-description = { $count } places on the map, with their accuracy circles and a grid of degrees
map-newest = Newest
map-km = km
map-m = m
map-credit = Borders: Natural Earth
map-rendezvous = Rendezvous
