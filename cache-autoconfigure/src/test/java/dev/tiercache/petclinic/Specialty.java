package dev.tiercache.petclinic;

import java.io.Serializable;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** A vet's specialty, as in Spring PetClinic. */
@Entity
public class Specialty implements Serializable {

	@Id
	private Long id;

	private String name;

	protected Specialty() {
	}

	public Specialty(Long id, String name) {
		this.id = id;
		this.name = name;
	}

	public String getName() {
		return this.name;
	}

}
