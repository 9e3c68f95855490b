CREATE TABLE broken (id bigint PRIMARY KEY);
CREATE TABLE broken (id bigint PRIMARY KEY);
