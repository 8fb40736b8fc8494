-- +goose Up
-- The company's website (optional, an http or https URL of at most 200
-- characters, as BVNK has it). Only an addition: a binary of the previous
-- release neither reads nor writes it and keeps working beside this schema.
ALTER TABLE customers ADD COLUMN website text CHECK (length(website) <= 200);

-- +goose Down
ALTER TABLE customers DROP COLUMN website;
