-- +goose Up
-- Image files attached to a pledge's photos, by the photo's position.
CREATE TABLE photo_files (
    district_id text NOT NULL,
    pledge_id text NOT NULL,
    position integer NOT NULL,
    content_type text NOT NULL,
    data bytea NOT NULL,
    sha256 bytea NOT NULL,
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, pledge_id, position),
    FOREIGN KEY (district_id, pledge_id) REFERENCES pledges (district_id, id)
);
