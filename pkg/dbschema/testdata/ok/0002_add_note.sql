-- +goose Up
ALTER TABLE things ADD COLUMN note text NOT NULL DEFAULT '';
INSERT INTO things (id, label) VALUES (1, '구정혁신');
