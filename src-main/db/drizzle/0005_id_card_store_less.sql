DROP INDEX `students_id_hash`;--> statement-breakpoint
UPDATE `students` SET `id_masked` = printf('%.*c', length(`id_masked`) - 4, '*') || substr(`id_masked`, -4), `id_hash` = substr(`id_hash`, 1, 1);