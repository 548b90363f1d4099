-- The duress phrase an applicant agreed: only a MAC of its normal form under the case's own data
-- key (so equal phrases of two cases do not match, and shredding the case forgets it) and its
-- number of words; and since when the case is flagged because the phrase was written.
ALTER TABLE cases ADD COLUMN duress_mac BLOB;
ALTER TABLE cases ADD COLUMN duress_words INTEGER;
ALTER TABLE cases ADD COLUMN duress_flagged_ms INTEGER;
