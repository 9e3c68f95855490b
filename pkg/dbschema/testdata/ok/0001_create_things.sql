-- +goose Up
CREATE TABLE things (id bigint PRIMARY KEY, label text NOT NULL);
