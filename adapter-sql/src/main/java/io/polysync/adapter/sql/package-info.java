package io.polysync.adapter.sql;
